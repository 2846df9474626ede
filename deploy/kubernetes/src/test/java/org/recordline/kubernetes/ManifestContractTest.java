package org.recordline.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
 * locally, and every Secret a workload needs with docs/operations.md; the records console, which has no data of its
 * own, is signed in to by a confidential client with PKCE, is reached over TLS through its Ingress, and may reach the
 * services' APIs and management ports, which admit it. For both overlays, as rendered.
 */
class ManifestContractTest {

    private static final Pattern ENV_EXPRESSION = Pattern.compile("\\$\\{([A-Z0-9_]+)}");
    /** Quarkus settings the ConfigMaps set that no properties file of ours does: each with why. */
    private static final Map<String, String> QUARKUS_KEYS = Map.of(
            "quarkus.oidc.auth-server-url", "tokens are verified against Keycloak's keys in the cluster; the local"
                    + " stack sets quarkus.oidc.public-key instead");
    /** Quarkus settings the console's ConfigMap sets that its own properties do not: each with why. */
    private static final Map<String, String> CONSOLE_QUARKUS_KEYS = Map.of(
            "quarkus.oidc.authentication.force-redirect-https-scheme", "TLS ends at the ingress controller: the"
                    + " redirect_uri Keycloak sends the browser back to must be https all the same",
            "quarkus.oidc.authentication.cookie-force-secure", "TLS ends at the ingress controller: the session"
                    + " cookies must be secure all the same");

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
        for (String service : Sources.DEPLOYABLES) {
            Set<String> known = Sources.knownKeys(service);
            Map<String, String> quarkusKeys = service.equals(Sources.CONSOLE) ? CONSOLE_QUARKUS_KEYS : QUARKUS_KEYS;
            ObjectNode cm = named(all, "ConfigMap", service + "-config");
            Map<String, String> settings = Sources.parse(cm.at("/data/application.properties").asText());
            assertFalse(settings.isEmpty());
            Set<String> env = new TreeSet<>();
            for (JsonNode e : container(named(all, "Deployment", service)).path("env")) {
                env.add(e.path("name").asText());
            }
            settings.forEach((key, value) -> {
                boolean read = known.contains(key) || quarkusKeys.containsKey(key)
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
        for (String service : Sources.DEPLOYABLES) {
            boolean console = service.equals(Sources.CONSOLE);
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
            assertEquals("true", effective(all, service, "quarkus.management.enabled"), service);
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
            if (console) {
                // no consumer lag to scale on: a fixed number of replicas
                assertTrue(ofKind(all, "ScaledObject").stream().noneMatch(o -> o.at("/spec/scaleTargetRef/name")
                        .asText().equals(service)), service);
            } else if (overlay.equals("prod")) {
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
        for (String service : Sources.DEPLOYABLES) {
            JsonNode labels = named(all, "Service", service + "-management").at("/metadata/labels");
            monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(l -> assertEquals(
                    l.getValue().asText(), labels.path(l.getKey()).asText(), service + " is scraped"));
        }
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

    /**
     * Names of Secrets {@code node} refers to: secretKeyRef, secret volumes, passwordSecret, secretTargetRef, an
     * Ingress's TLS certificate...
     */
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
                    case "tls" -> {
                        if (v.isArray()) {
                            v.forEach(t -> {
                                if (t.has("secretName")) {
                                    out.add(t.path("secretName").asText()); // an Ingress's certificate
                                }
                            });
                        }
                    }
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
            String id = client.path("clientId").asText();
            if (client.path("serviceAccountsEnabled").asBoolean()) {
                assertFalse(client.path("standardFlowEnabled").asBoolean(true), id);
                assertFalse(client.path("directAccessGrantsEnabled").asBoolean(true), id);
            } else {
                assertTrue(client.path("standardFlowEnabled").asBoolean(), id);
                assertFalse(client.path("implicitFlowEnabled").asBoolean(true), id);
                assertFalse(client.path("directAccessGrantsEnabled").asBoolean(true), id);
                assertEquals("S256", client.at("/attributes/pkce.code.challenge.method").asText(), id);
            }
            if (!client.path("publicClient").asBoolean()) {
                assertTrue(client.path("secret").asText().startsWith("${"), id + ": no client secret in the realm"
                        + " file");
            }
        }
        // every ${VARIABLE} of the realm file is set in Keycloak's environment from a Secret
        Map<String, String> keycloakEnv = new TreeMap<>();
        keycloak.path("env").forEach(e -> keycloakEnv.put(e.path("name").asText(),
                e.at("/valueFrom/secretKeyRef/name").asText()));
        Matcher variable = ENV_EXPRESSION.matcher(Kustomize.YAML.writeValueAsString(realm));
        while (variable.find()) {
            assertFalse(keycloakEnv.getOrDefault(variable.group(1), "").isEmpty(), variable.group(1)
                    + " is not set in Keycloak's environment from a Secret");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theConsoleSignsPeopleInAsAConfidentialClientWithPkceAndTheCodeFlowOnly(String overlay) throws IOException {
        List<ObjectNode> all = render(overlay);
        JsonNode realm = Kustomize.YAML.readTree(named(all, "ConfigMap", "recordline-realm")
                .at("/data/recordline-realm.json").asText());
        Map<String, String> settings = settings(all, Sources.CONSOLE);
        String clientId = effective(all, Sources.CONSOLE, "quarkus.oidc.client-id");
        assertEquals("records-console", clientId);
        assertEquals("web-app", effective(all, Sources.CONSOLE, "quarkus.oidc.application-type"));
        JsonNode client = null;
        for (JsonNode c : realm.path("clients")) {
            if (c.path("clientId").asText().equals(clientId)) {
                client = c;
            }
        }
        assertNotNull(client, "the realm has the console's client " + clientId);
        // confidential, the authorization code flow with PKCE (S256) and no other grant
        assertTrue(client.path("enabled").asBoolean());
        assertFalse(client.path("publicClient").asBoolean(true));
        assertEquals("client-secret", client.path("clientAuthenticatorType").asText());
        assertTrue(client.path("standardFlowEnabled").asBoolean());
        for (String grant : List.of("implicitFlowEnabled", "directAccessGrantsEnabled", "serviceAccountsEnabled")) {
            assertFalse(client.path(grant).asBoolean(true), grant);
        }
        for (String grant : List.of("oauth2.device.authorization.grant.enabled", "oidc.ciba.grant.enabled")) {
            assertEquals("false", client.at("/attributes/" + grant.replace("/", "~1")).asText(), grant);
        }
        assertEquals("S256", client.at("/attributes/pkce.code.challenge.method").asText());
        assertEquals("true", effective(all, Sources.CONSOLE, "quarkus.oidc.authentication.pkce-required"),
                "the console sends PKCE");
        // the secret: a variable of the realm file, which Keycloak and the console take from the same Secret
        Matcher secret = ENV_EXPRESSION.matcher(client.path("secret").asText());
        assertTrue(secret.matches(), "no client secret in the realm file");
        JsonNode keycloakRef = secretKeyRef(named(all, "Deployment", "keycloak"), secret.group(1));
        JsonNode consoleRef = secretKeyRef(named(all, "Deployment", Sources.CONSOLE),
                "QUARKUS_OIDC_CREDENTIALS_SECRET");
        assertFalse(keycloakRef.path("name").asText().isEmpty(), secret.group(1) + " comes from a Secret");
        assertEquals(keycloakRef, consoleRef, "Keycloak and the console know the same client secret");
        settings.forEach((key, value) -> assertFalse(key.contains("secret") && !value.startsWith("${"),
                key + " holds a secret"));
        // the browser is sent back only to the console's host, over https, on the paths the console answers
        String host = "https://" + named(all, "Ingress", Sources.CONSOLE).at("/spec/rules/0/host").asText();
        assertEquals(List.of(host + effective(all, Sources.CONSOLE, "quarkus.oidc.authentication.redirect-path")),
                Kustomize.YAML.convertValue(client.path("redirectUris"), List.class), "where the code is taken");
        assertEquals(host + effective(all, Sources.CONSOLE, "quarkus.oidc.logout.post-logout-path"),
                client.at("/attributes/post.logout.redirect.uris").asText(), "where a signed-out person lands");
        assertEquals(List.of(host), Kustomize.YAML.convertValue(client.path("webOrigins"), List.class));
        // its tokens carry the people's roles in the claim the services read first (groups, in the access token;
        // in the ID token too, where Quarkus finds a web-app's roles), only the roles of people at the desk, and
        // the audience the services require (checked for every client by the realm test above)
        assertFalse(client.path("fullScopeAllowed").asBoolean(true), "only the roles mapped to the client");
        Set<String> scope = new TreeSet<>();
        for (JsonNode mapping : realm.path("scopeMappings")) {
            if (mapping.path("client").asText().equals(clientId)) {
                mapping.path("roles").forEach(r -> scope.add(r.asText()));
            }
        }
        assertEquals(Set.of(org.recordline.commons.security.Roles.RECORDS_TECHNICIAN,
                org.recordline.commons.security.Roles.AUDITOR, org.recordline.commons.security.Roles.ADMIN), scope);
        boolean groups = false;
        for (JsonNode mapper : client.path("protocolMappers")) {
            JsonNode config = mapper.path("config");
            groups |= mapper.path("protocolMapper").asText().equals("oidc-usermodel-realm-role-mapper")
                    && config.path("claim.name").asText().equals("groups")
                    && config.path("multivalued").asText().equals("true")
                    && config.path("usermodel.realmRoleMapping.rolePrefix").asText().isEmpty()
                    && config.path("access.token.claim").asText().equals("true")
                    && config.path("id.token.claim").asText().equals("true");
        }
        assertTrue(groups, "the realm roles in the claim groups of the access and ID tokens");
        String roles = effective(all, Sources.CONSOLE, "quarkus.oidc.roles.source");
        assertTrue(roles == null || roles.equals("idtoken") || roles.equals("accesstoken"), "the console reads"
                + " its roles from a token that carries them, not " + roles);
        // the same realm as the services: reached inside the cluster, tokens named by its public URL
        assertEquals(issuer(all, realm), effective(all, Sources.CONSOLE, "quarkus.oidc.token.issuer"));
        assertEquals("http://keycloak:8080/realms/" + realm.path("realm").asText(),
                effective(all, Sources.CONSOLE, "quarkus.oidc.auth-server-url"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theConsoleIsReachedOverTlsOnlyThroughItsIngress(String overlay) {
        List<ObjectNode> all = render(overlay);
        for (ObjectNode ingress : ofKind(all, "Ingress")) {
            String name = ingress.at("/metadata/name").asText();
            Set<String> tlsHosts = new TreeSet<>();
            ingress.at("/spec/tls").forEach(t -> {
                assertFalse(t.path("secretName").asText().isEmpty(), name);
                t.path("hosts").forEach(h -> tlsHosts.add(h.asText()));
            });
            assertFalse(ingress.at("/spec/rules").isEmpty(), name);
            for (JsonNode rule : ingress.at("/spec/rules")) {
                assertTrue(tlsHosts.contains(rule.path("host").asText()), name + ": " + rule.path("host")
                        + " without TLS");
                for (JsonNode path : rule.at("/http/paths")) {
                    String port = path.at("/backend/service/port/name").asText();
                    boolean served = false;
                    for (JsonNode p : named(all, "Service", path.at("/backend/service/name").asText())
                            .at("/spec/ports")) {
                        served |= p.path("name").asText().equals(port);
                    }
                    assertTrue(served, name + ": " + path);
                }
            }
        }
        ObjectNode ingress = named(all, "Ingress", Sources.CONSOLE);
        assertEquals(1, ingress.at("/spec/rules").size());
        assertEquals(1, ingress.at("/spec/rules/0/http/paths").size());
        JsonNode backend = ingress.at("/spec/rules/0/http/paths/0/backend/service");
        assertEquals(Sources.CONSOLE, backend.path("name").asText());
        assertEquals("http", backend.at("/port/name").asText());
        // TLS ends at the ingress controller: the console still marks its cookies secure and redirects to https
        for (String key : List.of("quarkus.oidc.authentication.cookie-force-secure",
                "quarkus.rest-csrf.cookie-force-secure", "quarkus.oidc.authentication.force-redirect-https-scheme")) {
            assertEquals("true", effective(all, Sources.CONSOLE, key), key);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theConsoleReachesTheServicesApisAndManagementPortsAndKeycloakOnly(String overlay) {
        List<ObjectNode> all = render(overlay);
        Map<String, String> settings = settings(all, Sources.CONSOLE);
        ObjectNode policy = named(all, "NetworkPolicy", Sources.CONSOLE);
        Map<String, String> consoleLabels = podLabels(all, Sources.CONSOLE);
        // a REST client per service, and a management URL per service, as the console's code has them
        Set<String> shortNames = new TreeSet<>();
        Sources.SERVICES.forEach(s -> shortNames.add(s.replace("-service", "")));
        assertEquals(shortNames, Sources.restClients(Sources.CONSOLE));
        Set<String> management = new TreeSet<>();
        Sources.knownKeys(Sources.CONSOLE).stream().filter(k -> k.startsWith("recordline.console.management."))
                .forEach(k -> management.add(k.substring("recordline.console.management.".length())));
        assertEquals(shortNames, management);
        for (String service : Sources.SERVICES) {
            String shortName = service.replace("-service", "");
            Map<String, String> urls = Map.of("quarkus.rest-client." + shortName + ".url", "http",
                    "recordline.console.management." + shortName, "management");
            urls.forEach((key, portName) -> {
                String url = settings.get(key);
                assertNotNull(url, key);
                int port = reached(all, url, service, portName);
                assertTrue(admits(named(all, "NetworkPolicy", service), "ingress", consoleLabels, port),
                        service + " admits the console on " + port);
                assertTrue(admits(policy, "egress", podLabels(all, service), port), "the console may reach "
                        + service + " on " + port);
            });
        }
        int keycloak = reached(all, effective(all, Sources.CONSOLE, "quarkus.oidc.auth-server-url"), "keycloak",
                "http");
        assertTrue(admits(policy, "egress", podLabels(all, "keycloak"), keycloak), "the console may reach Keycloak");
        // and nothing else: no Kafka, no PostgreSQL, nothing outside the namespace (DNS: recordline-dns)
        Set<String> peers = new TreeSet<>();
        for (JsonNode rule : policy.at("/spec/egress")) {
            assertTrue(rule.has("to") && rule.has("ports"), "an egress rule names its peers and ports: " + rule);
            for (JsonNode peer : rule.path("to")) {
                assertFalse(peer.has("namespaceSelector") || peer.has("ipBlock"), peer.toString());
                assertEquals(1, peer.at("/podSelector/matchLabels").size(), peer.toString());
                peers.add(peer.at("/podSelector/matchLabels/app.kubernetes.io~1name").asText());
            }
        }
        Set<String> expected = new TreeSet<>(Sources.SERVICES);
        expected.add("keycloak");
        assertEquals(expected, peers);
        // in: its pages from the ingress controller only, its management port from Prometheus only
        Map<Integer, String> from = new TreeMap<>();
        for (JsonNode rule : policy.at("/spec/ingress")) {
            assertTrue(rule.has("from"), "no port of the console is open to everyone: " + rule);
            for (JsonNode peer : rule.path("from")) {
                assertFalse(peer.has("podSelector") || peer.has("ipBlock"), peer.toString());
                String label = peer.at("/namespaceSelector/matchLabels").fieldNames().next();
                rule.path("ports").forEach(p -> assertNull(from.put(p.path("port").asInt(), label)));
            }
        }
        Map<String, Integer> ports = containerPorts(all, Sources.CONSOLE);
        assertEquals(Map.of(ports.get("http"), "recordline.io/ingress", ports.get("management"),
                "recordline.io/monitoring"), from);
        // no data of its own: neither a database nor a Kafka client, no credentials but its client secret
        assertFalse(consoleLabels.containsKey("recordline.io/database-client"));
        assertFalse(consoleLabels.containsKey("recordline.io/kafka-client"));
        Set<String> secrets = new TreeSet<>();
        collectSecrets(named(all, "Deployment", Sources.CONSOLE), secrets);
        assertEquals(Set.of(secretKeyRef(named(all, "Deployment", Sources.CONSOLE), "QUARKUS_OIDC_CREDENTIALS_SECRET")
                .path("name").asText()), secrets);
        assertTrue(ofKind(all, "KafkaUser").stream().noneMatch(u -> u.at("/metadata/name").asText()
                .contains("console")));
        settings.keySet().forEach(k -> assertFalse(k.startsWith("kafka.") || k.startsWith("recordline.db.")
                || k.startsWith("quarkus.datasource."), k));
    }

    /** The settings of {@code deployable}'s ConfigMap. */
    private static Map<String, String> settings(List<ObjectNode> all, String deployable) {
        return Sources.parse(named(all, "ConfigMap", deployable + "-config").at("/data/application.properties")
                .asText());
    }

    /**
     * The value {@code deployable} runs with for {@code key}, or null: its ConfigMap's, else its own properties' (or
     * service-commons' it inherits), with the {@code ${name:default}} it refers to resolved the same way.
     */
    private static String effective(List<ObjectNode> all, String deployable, String key) {
        String value = settings(all, deployable).get(key);
        if (value == null) {
            value = Sources.properties(deployable).get(key);
        }
        if (value == null && Sources.usesCommons(deployable)) {
            value = Sources.properties("service-commons").get(key);
        }
        if (value == null) {
            return null;
        }
        Matcher m = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String referred = effective(all, deployable, m.group(1));
            assertTrue(referred != null || m.group(2) != null, key + " refers to " + m.group(1) + ", which is unset");
            m.appendReplacement(out, Matcher.quoteReplacement(referred != null ? referred : m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The labels of {@code deployment}'s pods. */
    private static Map<String, String> podLabels(List<ObjectNode> all, String deployment) {
        Map<String, String> labels = new TreeMap<>();
        named(all, "Deployment", deployment).at("/spec/template/metadata/labels").fields()
                .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
        return labels;
    }

    /** {@code deployment}'s container ports by name. */
    private static Map<String, Integer> containerPorts(List<ObjectNode> all, String deployment) {
        Map<String, Integer> ports = new TreeMap<>();
        container(named(all, "Deployment", deployment)).path("ports").forEach(p -> ports.put(p.path("name").asText(),
                p.path("containerPort").asInt()));
        return ports;
    }

    /** The secretKeyRef of {@code deployment}'s environment variable {@code name}. */
    private static JsonNode secretKeyRef(ObjectNode deployment, String name) {
        for (JsonNode e : container(deployment).path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.at("/valueFrom/secretKeyRef");
            }
        }
        throw new AssertionError(deployment.at("/metadata/name").asText() + " does not set " + name);
    }

    /**
     * The container port a request to {@code url} ({@code http://<Service>:<port>/...}) reaches, asserting that the
     * Service selects {@code deployment}'s pods and sends that port to the container port named {@code portName}.
     */
    private static int reached(List<ObjectNode> all, String url, String deployment, String portName) {
        Matcher m = Pattern.compile("http://([a-z0-9-]+):(\\d+)(/.*)?").matcher(url);
        assertTrue(m.matches(), url);
        ObjectNode service = named(all, "Service", m.group(1));
        assertEquals(podLabels(all, deployment).get("app.kubernetes.io/name"),
                service.at("/spec/selector/app.kubernetes.io~1name").asText(), url);
        String target = null;
        for (JsonNode p : service.at("/spec/ports")) {
            if (p.path("port").asInt() == Integer.parseInt(m.group(2))) {
                target = p.path("targetPort").asText();
            }
        }
        assertEquals(portName, target, url);
        return containerPorts(all, deployment).get(portName);
    }

    /**
     * Whether {@code policy} lets traffic on {@code port} in from ({@code direction} "ingress") or out to ("egress")
     * the pods labelled {@code peer} of its own namespace.
     */
    private static boolean admits(ObjectNode policy, String direction, Map<String, String> peer, int port) {
        String peers = direction.equals("ingress") ? "from" : "to";
        for (JsonNode rule : policy.at("/spec/" + direction)) {
            boolean peerMatches = !rule.has(peers);
            for (JsonNode p : rule.path(peers)) {
                boolean selects = p.has("podSelector") && !p.has("namespaceSelector")
                        && !p.at("/podSelector").has("matchExpressions");
                Iterator<Map.Entry<String, JsonNode>> labels = p.at("/podSelector/matchLabels").fields();
                while (labels.hasNext()) {
                    Map.Entry<String, JsonNode> l = labels.next();
                    selects &= l.getValue().asText().equals(peer.get(l.getKey()));
                }
                peerMatches |= selects;
            }
            boolean portMatches = !rule.has("ports");
            for (JsonNode p : rule.path("ports")) {
                portMatches |= p.path("port").asInt() == port && p.path("protocol").asText("TCP").equals("TCP");
            }
            if (peerMatches && portMatches) {
                return true;
            }
        }
        return false;
    }

    /** The issuer the realm's tokens name: Keycloak's public host name and the realm. */
    private static String issuer(List<ObjectNode> all, JsonNode realm) {
        for (JsonNode e : container(named(all, "Deployment", "keycloak")).path("env")) {
            if (e.path("name").asText().equals("KC_HOSTNAME")) {
                return e.path("value").asText() + "/realms/" + realm.path("realm").asText();
            }
        }
        throw new AssertionError("Keycloak has no KC_HOSTNAME");
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
        List<String> deployables = new ArrayList<>(Sources.SERVICES);
        deployables.add(Sources.CONSOLE);
        for (String service : deployables) {
            for (String source : sources) {
                Path p = Sources.ROOT.resolve(service).resolve(source.replace("*.jar", "quarkus-run.jar"));
                assertTrue(Files.exists(p), p + ": package the service first (mvn package); the image copies it");
            }
        }
    }
}
