package org.recordline.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recordline.events.Topics;
import org.recordline.testsupport.DatabaseRoles;

/**
 * The manifests agree with the code: the topics with the events-contract module, the Kafka users' ACLs with what each
 * service's configuration and code read and write, the ConfigMaps with the keys the services read, the probes and
 * ports with the services' management and HTTP ports, the database roles and schemas with the ones the services use
 * locally, and every Secret a workload needs with docs/operations.md. For both overlays, as rendered.
 */
class ManifestContractTest {

    private static final Pattern ENV_EXPRESSION = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    /** Quarkus settings the ConfigMaps set that no properties file of ours does: each with why. */
    private static final Map<String, String> QUARKUS_KEYS = Map.of(
            "quarkus.oidc.auth-server-url", "tokens are verified against Keycloak's keys in the cluster; the local"
                    + " stack sets quarkus.oidc.public-key instead");

    static List<ObjectNode> render(String overlay) {
        return Kustomize.render(Path.of("overlays", overlay));
    }

    private static List<ObjectNode> ofKind(List<ObjectNode> all, String kind) {
        return all.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
    }

    private static ObjectNode named(List<ObjectNode> all, String kind, String name) {
        return all.stream().filter(r -> r.path("kind").asText().equals(kind)
                && r.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyTopicOfTheContractHasAKafkaTopicWithItsSettingsAndNothingElseDoes(String overlay) {
        List<ObjectNode> all = render(overlay);
        int replicas = overlay.equals("prod") ? 3 : 1;
        Map<String, ObjectNode> topics = new TreeMap<>();
        for (ObjectNode t : ofKind(all, "KafkaTopic")) {
            String name = t.path("spec").path("topicName").asText(t.path("metadata").path("name").asText());
            assertEquals("recordline", t.path("metadata").path("labels").path("strimzi.io/cluster").asText(), name);
            topics.put(name, t);
        }
        assertEquals(new TreeSet<>(Topics.all()), topics.keySet());
        topics.forEach((name, t) -> {
            JsonNode spec = t.path("spec");
            assertEquals(Topics.DEFAULT_PARTITIONS, spec.path("partitions").asInt(), name);
            assertEquals(replicas, spec.path("replicas").asInt(), name);
            assertEquals(replicas == 3 ? 2 : 1, spec.path("config").path("min.insync.replicas").asInt(), name);
            assertEquals(Topics.RETENTION.toMillis(), spec.path("config").path("retention.ms").asLong(), name);
            assertTrue(spec.path("config").path("max.message.bytes").asLong() >= Topics.MAX_MESSAGE_BYTES, name);
        });
        JsonNode config = named(all, "Kafka", "recordline").path("spec").path("kafka").path("config");
        assertFalse(config.path("auto.create.topics.enable").asBoolean(true), "topics come from KafkaTopics only");
        assertTrue(config.path("message.max.bytes").asLong() >= Topics.MAX_MESSAGE_BYTES);
        int nodes = named(all, "KafkaNodePool", "nodes").path("spec").path("replicas").asInt();
        assertEquals(replicas, nodes);
        assertTrue(config.path("min.insync.replicas").asInt() < nodes || nodes == 1,
                "a write must survive a broker down");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachServicesKafkaUserMayDoExactlyWhatItsCodeDoes(String overlay) {
        List<ObjectNode> all = render(overlay);
        Set<String> kedaExpected = new TreeSet<>();
        for (String service : Sources.SERVICES) {
            Set<String> expected = new TreeSet<>();
            Sources.groups(service).forEach(g -> {
                expected.add("group " + g + " Read");
                kedaExpected.add("group " + g + " Describe");
            });
            Sources.reads(service).forEach(t -> {
                expected.add("topic " + t + " Read");
                expected.add("topic " + t + " Describe");
                kedaExpected.add("topic " + t + " Describe");
            });
            Sources.writes(service).forEach(t -> {
                expected.add("topic " + t + " Write");
                expected.add("topic " + t + " Describe");
            });
            String user = "recordline-" + service.replace("-service", "");
            assertEquals(expected, acls(named(all, "KafkaUser", user)), user);
            assertTrue(Topics.all().containsAll(expected.stream().filter(a -> a.startsWith("topic "))
                    .map(a -> a.split(" ")[1]).toList()), "every topic a service uses is in the contract");
        }
        boolean keda = !ofKind(all, "ScaledObject").isEmpty();
        if (keda) {
            assertEquals(kedaExpected, acls(named(all, "KafkaUser", "recordline-keda")));
        }
        List<ObjectNode> upstream = ofKind(all, "KafkaUser").stream().filter(u -> "true".equals(
                u.at("/metadata/labels/recordline.io~1upstream-system").asText())).toList();
        assertFalse(upstream.isEmpty(), "an example of an upstream system's user");
        for (ObjectNode u : upstream) {
            // a publisher of the inbound topic, reading the results in a group of its own name, and nothing else
            String name = u.at("/metadata/name").asText();
            assertEquals(Set.of("topic " + Topics.INBOUND + " Write", "topic " + Topics.INBOUND + " Describe",
                    "topic " + Topics.INBOUND_RESULTS + " Read", "topic " + Topics.INBOUND_RESULTS + " Describe",
                    "group " + name + " Read"), acls(u), name);
            assertFalse(Sources.SERVICES.stream().anyMatch(s -> Sources.groups(s).contains(name)),
                    "an upstream system's group is not a service's");
        }
        assertEquals(Sources.SERVICES.size() + (keda ? 1 : 0) + upstream.size(), ofKind(all, "KafkaUser").size(),
                "no other users");
    }

    /** A user's ACLs as "type name Operation", literal names and every host only. */
    private static Set<String> acls(ObjectNode user) {
        assertEquals("tls", user.at("/spec/authentication/type").asText());
        assertEquals("simple", user.at("/spec/authorization/type").asText());
        Set<String> out = new TreeSet<>();
        for (JsonNode acl : user.at("/spec/authorization/acls")) {
            assertEquals("literal", acl.at("/resource/patternType").asText(), acl.toString());
            assertEquals("*", acl.path("host").asText("*"));
            assertEquals("allow", acl.path("type").asText("allow"));
            for (JsonNode op : acl.path("operations")) {
                out.add(acl.at("/resource/type").asText() + " " + acl.at("/resource/name").asText() + " "
                        + op.asText());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyConfigMapKeyIsOneTheServiceReadsAndEveryPasswordComesFromItsEnvironment(String overlay) {
        List<ObjectNode> all = render(overlay);
        Set<String> kafkaClient = new TreeSet<>(ProducerConfig.configNames());
        kafkaClient.addAll(ConsumerConfig.configNames());
        for (String service : Sources.SERVICES) {
            Set<String> known = Sources.knownKeys(service);
            ObjectNode cm = named(all, "ConfigMap", service + "-config");
            Map<String, String> settings = Sources.parse(cm.at("/data/application.properties").asText());
            assertFalse(settings.isEmpty());
            Set<String> env = new TreeSet<>();
            for (JsonNode e : container(named(all, "Deployment", service)).path("env")) {
                env.add(e.path("name").asText());
            }
            settings.forEach((key, value) -> {
                boolean read = known.contains(key) || QUARKUS_KEYS.containsKey(key)
                        || (key.startsWith("kafka.") && kafkaClient.contains(key.substring("kafka.".length())));
                assertTrue(read, service + " does not read " + key);
                Matcher m = ENV_EXPRESSION.matcher(value);
                while (m.find()) {
                    assertTrue(env.contains(m.group(1)), service + ": " + key + " refers to " + m.group(1)
                            + ", which its container's environment does not set");
                }
                assertFalse(key.contains("password") && !value.startsWith("${"), key + " holds a password");
            });
        }
    }

    private static JsonNode container(ObjectNode deployment) {
        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), deployment.at("/metadata/name").asText());
        return containers.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void probesPortsAndSecurityOfEveryServiceMatchTheService(String overlay) throws IOException {
        List<ObjectNode> all = render(overlay);
        for (String service : Sources.SERVICES) {
            ObjectNode d = named(all, "Deployment", service);
            JsonNode c = container(d);
            Map<String, String> props = Sources.properties(service);
            Map<String, Integer> ports = new TreeMap<>();
            for (JsonNode p : c.path("ports")) {
                ports.put(p.path("name").asText(), p.path("containerPort").asInt());
            }
            assertEquals(Integer.valueOf(props.get("quarkus.http.port")), ports.get("http"), service);
            assertEquals(Integer.valueOf(props.get("quarkus.management.port")), ports.get("management"), service);
            String pom = Files.readString(Sources.ROOT.resolve(service).resolve("pom.xml"));
            assertTrue(pom.contains("<artifactId>quarkus-smallrye-health</artifactId>"), service
                    + " serves /q/health on its management port");
            assertEquals("true", Sources.properties("service-commons").get("quarkus.management.enabled"));
            Map<String, String> probes = Map.of("startupProbe", "/q/health/started", "livenessProbe",
                    "/q/health/live", "readinessProbe", "/q/health/ready");
            probes.forEach((probe, path) -> {
                assertEquals(path, c.at("/" + probe + "/httpGet/path").asText(), service + " " + probe);
                assertEquals("management", c.at("/" + probe + "/httpGet/port").asText(), service + " " + probe);
            });
            // least privilege in the pod
            assertTrue(d.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean());
            assertFalse(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true));
            assertTrue(c.at("/securityContext/readOnlyRootFilesystem").asBoolean());
            assertEquals("ALL", c.at("/securityContext/capabilities/drop/0").asText());
            assertFalse(d.at("/spec/template/spec/automountServiceAccountToken").asBoolean(true));
            // sized: requests and limits, a heap well inside the memory limit
            long limit = mebibytes(c.at("/resources/limits/memory").asText());
            assertEquals(limit, mebibytes(c.at("/resources/requests/memory").asText()), "memory is not overcommitted");
            assertFalse(c.at("/resources/requests/cpu").isMissingNode());
            String opts = "";
            for (JsonNode e : c.path("env")) {
                if (e.path("name").asText().equals("JAVA_OPTS_APPEND")) {
                    opts = e.path("value").asText();
                }
            }
            Matcher heap = Pattern.compile("-Xmx(\\d+)m").matcher(opts);
            assertTrue(heap.find(), service + " sets its heap");
            assertTrue(Long.parseLong(heap.group(1)) * 3 / 2 <= limit, service + ": heap " + heap.group(1)
                    + " MiB needs room for metaspace, code, threads and buffers within " + limit + " MiB");
            // each Service port names a container port; the NetworkPolicy opens exactly the container's ports
            for (String svc : List.of(service, service + "-management")) {
                for (JsonNode p : named(all, "Service", svc).at("/spec/ports")) {
                    assertTrue(ports.containsKey(p.path("targetPort").asText()), svc + " " + p);
                }
            }
            Set<Integer> opened = new TreeSet<>();
            for (JsonNode rule : named(all, "NetworkPolicy", service).at("/spec/ingress")) {
                rule.path("ports").forEach(p -> opened.add(p.path("port").asInt()));
            }
            assertEquals(new TreeSet<>(ports.values()), opened, service);
            assertNotNull(named(all, "PodDisruptionBudget", service));
            assertEquals(overlay.equals("prod") ? 2 : 1, d.at("/spec/replicas").asInt(), service);
            if (overlay.equals("prod")) {
                ObjectNode scaled = named(all, "ScaledObject", service);
                Set<String> lagTopics = new TreeSet<>();
                for (JsonNode t : scaled.at("/spec/triggers")) {
                    if (t.path("type").asText().equals("kafka")) {
                        assertTrue(Sources.groups(service).contains(t.at("/metadata/consumerGroup").asText()));
                        lagTopics.add(t.at("/metadata/topic").asText());
                    }
                }
                assertEquals(Sources.reads(service), lagTopics, service + " scales on the lag of what it reads");
                assertTrue(scaled.at("/spec/maxReplicaCount").asInt() <= Topics.DEFAULT_PARTITIONS,
                        "more consumers than partitions would idle");
            }
        }
        JsonNode monitor = named(all, "ServiceMonitor", "recordline-services");
        assertEquals("management", monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());
    }

    private static long mebibytes(String q) {
        if (q.endsWith("Gi")) {
            return Long.parseLong(q.substring(0, q.length() - 2)) * 1024;
        }
        assertTrue(q.endsWith("Mi"), q);
        return Long.parseLong(q.substring(0, q.length() - 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theDatabaseHasTheRolesAndSchemasTheServicesUseLocally(String overlay) {
        ObjectNode cluster = named(render(overlay), "Cluster", "recordline-db");
        assertEquals(overlay.equals("prod") ? 3 : 1, cluster.at("/spec/instances").asInt());
        Set<String> managed = new TreeSet<>();
        for (JsonNode role : cluster.at("/spec/managed/roles")) {
            managed.add(role.path("name").asText());
            assertTrue(role.path("login").asBoolean());
            for (String never : List.of("superuser", "createdb", "createrole", "replication", "bypassrls",
                    "inherit")) {
                assertFalse(role.path(never).asBoolean(true), role.path("name").asText() + " " + never);
            }
            assertFalse(role.at("/passwordSecret/name").asText().isEmpty());
        }
        Set<String> expected = new TreeSet<>(DatabaseRoles.ALL);
        expected.add("keycloak");
        assertEquals(expected, managed);
        Set<String> schemas = new TreeSet<>();
        Pattern create = Pattern.compile("CREATE SCHEMA (\\w+) AUTHORIZATION (\\w+)");
        for (JsonNode sql : cluster.at("/spec/bootstrap/initdb/postInitApplicationSQL")) {
            Matcher m = create.matcher(sql.asText());
            if (m.matches()) {
                schemas.add(m.group(1) + " " + m.group(2));
            }
        }
        assertEquals(DatabaseRoles.SCHEMAS.stream().map(s -> s.schema() + " " + s.owner())
                .collect(Collectors.toCollection(TreeSet::new)), schemas);
        // each service logs in as its runtime role, with the password of that role's Secret
        Map<String, String> secretOfRole = new TreeMap<>();
        cluster.at("/spec/managed/roles").forEach(r -> secretOfRole.put(r.path("name").asText(),
                r.at("/passwordSecret/name").asText()));
        List<ObjectNode> all = render(overlay);
        for (DatabaseRoles.SchemaAccess access : DatabaseRoles.SCHEMAS) {
            JsonNode c = container(named(all, "Deployment", access.service()));
            Map<String, String> env = new TreeMap<>();
            c.path("env").forEach(e -> env.put(e.path("name").asText(), e.at("/valueFrom/secretKeyRef/name").asText()));
            assertEquals(secretOfRole.get(access.runtime()), env.get("RECORDLINE_DB_PASSWORD"), access.service());
            if (!access.owner().equals(access.runtime())) {
                assertEquals(secretOfRole.get(access.owner()), env.get("RECORDLINE_DB_MIGRATION_PASSWORD"));
            }
            ObjectNode cm = named(all, "ConfigMap", access.service() + "-config");
            String url = Sources.properties(access.service()).get("quarkus.datasource.jdbc.url");
            assertTrue(url.endsWith("currentSchema=" + access.schema()), url);
            assertEquals("recordline-db-rw", Sources.parse(cm.at("/data/application.properties").asText())
                    .get("recordline.db.host"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everySecretAWorkloadNeedsIsDocumentedOrMadeByAnOperatorHere(String overlay) throws IOException {
        List<ObjectNode> all = render(overlay);
        Set<String> referenced = new TreeSet<>();
        for (ObjectNode r : all) {
            collectSecrets(r, referenced);
        }
        Set<String> byOperators = new TreeSet<>();
        ofKind(all, "KafkaUser").forEach(u -> byOperators.add(u.at("/metadata/name").asText()));
        ofKind(all, "Kafka").forEach(k -> byOperators.add(k.at("/metadata/name").asText() + "-cluster-ca-cert"));
        String operations = Files.readString(Sources.ROOT.resolve("docs/operations.md"));
        List<String> missing = new ArrayList<>();
        for (String secret : referenced) {
            if (!byOperators.contains(secret) && !operations.contains("`" + secret + "`")) {
                missing.add(secret);
            }
        }
        assertEquals(List.of(), missing, "Secrets neither made by an operator here nor documented in"
                + " docs/operations.md");
        // an upstream system's certificate leaves the cluster for that system; every other one is mounted here
        Set<String> usedHere = new TreeSet<>(byOperators);
        ofKind(all, "KafkaUser").stream().filter(u -> u.at("/metadata/labels").has("recordline.io/upstream-system"))
                .forEach(u -> usedHere.remove(u.at("/metadata/name").asText()));
        assertTrue(referenced.containsAll(usedHere), "every operator-made Secret is used: " + usedHere);
        assertTrue(ofKind(all, "Secret").isEmpty(), "no Secret is committed");
    }

    /** Names of Secrets {@code node} refers to: secretKeyRef, secret volumes, passwordSecret, secretTargetRef... */
    private static void collectSecrets(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                JsonNode v = f.getValue();
                switch (f.getKey()) {
                    case "secretKeyRef", "passwordSecret", "secretRef" -> out.add(v.path("name").asText());
                    case "secret" -> {
                        if (v.has("secretName")) {
                            out.add(v.path("secretName").asText());
                        }
                    }
                    case "secretTargetRef" -> v.forEach(t -> out.add(t.path("name").asText()));
                    case "accessKeyId", "secretAccessKey" -> out.add(v.path("name").asText());
                    default -> {
                    }
                }
                collectSecrets(v, out);
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectSecrets(n, out));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theRealmHasTheServicesRolesAndIssuesTokensTheServicesAccept(String overlay) throws IOException {
        List<ObjectNode> all = render(overlay);
        JsonNode realm = Kustomize.YAML.readTree(named(all, "ConfigMap", "recordline-realm")
                .at("/data/recordline-realm.json").asText());
        Set<String> roles = new TreeSet<>();
        realm.at("/roles/realm").forEach(r -> roles.add(r.path("name").asText()));
        // every role the services' endpoints allow (@RolesAllowed names them through Roles), and no other
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("Roles\\.([A-Z_]+)").matcher(Sources.code("ingestion-service")
                + Sources.code("validation-service") + Sources.code("index-service") + Sources.code("audit-service"));
        while (m.find()) {
            try {
                used.add((String) org.recordline.commons.security.Roles.class.getField(m.group(1)).get(null));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(used, roles);
        // tokens name the issuer and the audience the services require
        JsonNode keycloak = container(named(all, "Deployment", "keycloak"));
        String hostname = null;
        for (JsonNode e : keycloak.path("env")) {
            if (e.path("name").asText().equals("KC_HOSTNAME")) {
                hostname = e.path("value").asText();
            }
        }
        String issuer = hostname + "/realms/" + realm.path("realm").asText();
        for (String service : Sources.SERVICES) {
            Map<String, String> settings = Sources.parse(named(all, "ConfigMap", service + "-config")
                    .at("/data/application.properties").asText());
            assertEquals(issuer, settings.get("recordline.token.issuer"), service);
            assertEquals("http://keycloak:8080/realms/" + realm.path("realm").asText(),
                    settings.get("quarkus.oidc.auth-server-url"), service + " reaches the realm inside the cluster");
            String audience = settings.getOrDefault("recordline.token.audience", "recordline");
            for (JsonNode client : realm.path("clients")) {
                boolean adds = false;
                for (JsonNode mapper : client.path("protocolMappers")) {
                    adds |= mapper.path("protocolMapper").asText().equals("oidc-audience-mapper")
                            && mapper.at("/config/included.custom.audience").asText().equals(audience);
                }
                assertTrue(adds, client.path("clientId").asText() + " adds the audience " + audience);
            }
        }
        // an upstream system uses client credentials only, people the code flow with PKCE
        for (JsonNode client : realm.path("clients")) {
            if (client.path("serviceAccountsEnabled").asBoolean()) {
                assertFalse(client.path("standardFlowEnabled").asBoolean(true));
                assertFalse(client.path("directAccessGrantsEnabled").asBoolean(true));
                assertTrue(client.path("secret").asText().startsWith("${"), "no client secret in the realm file");
            } else {
                assertTrue(client.path("publicClient").asBoolean());
                assertEquals("S256", client.at("/attributes/pkce.code.challenge.method").asText());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theContainerfileCopiesTheLayoutTheBuildMakes() throws IOException {
        String containerfile = Files.readString(Path.of("../container/Containerfile"));
        Matcher copy = Pattern.compile("COPY --chown=185 \\$\\{SERVICE}/(\\S+) ").matcher(containerfile);
        List<String> sources = new ArrayList<>();
        while (copy.find()) {
            sources.add(copy.group(1));
        }
        assertEquals(4, sources.size(), containerfile);
        for (String service : Sources.SERVICES) {
            for (String source : sources) {
                Path p = Sources.ROOT.resolve(service).resolve(source.replace("*.jar", "quarkus-run.jar"));
                assertTrue(Files.exists(p), p + ": package the service first (mvn package); the image copies it");
            }
        }
    }
}
