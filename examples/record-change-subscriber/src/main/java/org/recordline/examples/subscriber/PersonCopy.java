package org.recordline.examples.subscriber;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The subscriber's own copy of "which records belong to which person", built from {@code ehr.record-changes.v1},
 * and the ids of the events it has applied. In memory here; a real subscriber keeps both in its database and writes
 * them in one transaction (then an event is applied exactly once even across a crash between the write and the
 * offset commit), and keeps the event ids for the topic's retention (7 days) plus a margin.
 *
 * <p>The copy is kept per <em>source record</em> ({@code source-system|local-id}), each with the person it is filed
 * under and the resources filed under it; a person's records are the source records that point at it. A move
 * (link, unlink, merge, unmerge) re-points one source record, and its resources with it, from the previous person to
 * the new one. Moves are keyed by the person moved <em>to</em>, so the events of one source record can lie on
 * different partitions and arrive out of order; every change therefore carries {@code changedAt}, and a source
 * record keeps the person of its latest change: an older event that arrives late adds its resources but does not
 * move the record back.
 */
public final class PersonCopy {

    /** What applying one event did. */
    public enum Outcome {
        /** A new source record, or resources filed under one already known. */
        FILED,
        /** A source record moved from one person to another. */
        MOVED,
        /** An older event than the source record's latest change: resources added, person kept. */
        LATE,
        /** The event's id was applied before: nothing changed. */
        DUPLICATE
    }

    private static final class SourceRecord {
        String personId;
        Instant placedAt;
        final Set<String> resources = new LinkedHashSet<>();
    }

    private final Map<String, SourceRecord> bySourceRecord = new HashMap<>();
    private final Set<String> appliedEventIds = new HashSet<>();

    /**
     * Applies one event, once: a {@code ce_id} seen before changes nothing.
     *
     * @param eventId the event's {@code ce_id}, the idempotency key
     */
    public synchronized Outcome apply(String eventId, RecordChange change) {
        if (!appliedEventIds.add(eventId)) {
            return Outcome.DUPLICATE;
        }
        SourceRecord sr = bySourceRecord.get(change.sourceRecordKey());
        if (sr == null) {
            sr = new SourceRecord();
            sr.personId = change.personId();
            sr.placedAt = change.changedAt();
            sr.resources.addAll(change.resources());
            bySourceRecord.put(change.sourceRecordKey(), sr);
            return change.isMove() ? Outcome.MOVED : Outcome.FILED;
        }
        sr.resources.addAll(change.resources());
        if (change.changedAt().isBefore(sr.placedAt)) {
            return Outcome.LATE;
        }
        boolean moved = !sr.personId.equals(change.personId());
        sr.personId = change.personId();
        sr.placedAt = change.changedAt();
        return moved || change.isMove() ? Outcome.MOVED : Outcome.FILED;
    }

    /** Whether the event with this {@code ce_id} was applied. */
    public synchronized boolean applied(String eventId) {
        return appliedEventIds.contains(eventId);
    }

    /** The person a source record is filed under now. */
    public synchronized Optional<String> personOf(String sourceRecordKey) {
        SourceRecord sr = bySourceRecord.get(sourceRecordKey);
        return sr == null ? Optional.empty() : Optional.of(sr.personId);
    }

    /** The source records of a person, sorted; empty for a person that holds none (any more). */
    public synchronized Set<String> sourceRecordsOf(String personId) {
        Set<String> out = new TreeSet<>();
        bySourceRecord.forEach((k, sr) -> {
            if (sr.personId.equals(personId)) {
                out.add(k);
            }
        });
        return out;
    }

    /** The resources ({@code Type/id}) filed under a person, through all of its source records, sorted. */
    public synchronized Set<String> resourcesOf(String personId) {
        Set<String> out = new TreeSet<>();
        bySourceRecord.values().forEach(sr -> {
            if (sr.personId.equals(personId)) {
                out.addAll(sr.resources);
            }
        });
        return out;
    }

    /** Every person with its source records, sorted: the whole copy, for comparing two copies. */
    public synchronized Map<String, Set<String>> snapshot() {
        Map<String, Set<String>> out = new TreeMap<>();
        bySourceRecord.forEach((k, sr) -> out.computeIfAbsent(sr.personId, p -> new TreeSet<>()).add(k));
        return out;
    }

    /** How many persons hold at least one source record. */
    public synchronized int persons() {
        return (int) bySourceRecord.values().stream().map(sr -> sr.personId).distinct().count();
    }
}
