-- Checkpoints are published on ehr.audit-checkpoints.v1 through the transactional outbox (service-commons' tables,
-- migrations 0.x from db/recordline-commons, created by this schema's owner): the run-time role may write and relay
-- the outbox, nothing more. A schema created before the outbox gets the 0.x migrations out of order
-- (quarkus.flyway.out-of-order), before this one.
GRANT SELECT, INSERT, DELETE ON outbox_event TO ${app_role};
GRANT USAGE, SELECT ON SEQUENCE outbox_event_id_seq TO ${app_role};
GRANT SELECT, INSERT, DELETE ON outbox_dead_event TO ${app_role};
