package dev.tollgate.kafka.registry;

import static dev.tollgate.kafka.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.kafka.EmbeddedKafka;
import dev.tollgate.kafka.EmbeddedKafkaExtension;
import dev.tollgate.kafka.registry.RegistryHttp.Answer;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class SchemaRegistryIT {

    private static final String V1 = record("{\"name\":\"a\",\"type\":\"string\"}");
    private static final String V2_WITH_DEFAULT = record("{\"name\":\"a\",\"type\":\"string\"},"
            + "{\"name\":\"b\",\"type\":\"int\",\"default\":0}");
    private static final String V3_WITHOUT_DEFAULT = record("{\"name\":\"a\",\"type\":\"string\"},"
            + "{\"name\":\"b\",\"type\":\"int\",\"default\":0},{\"name\":\"c\",\"type\":\"long\"}");

    private static RegistryHttp http;

    @BeforeAll
    static void connect(EmbeddedKafka kafka) {
        http = new RegistryHttp(kafka.schemaRegistryUrl());
    }

    @Test
    void registersLooksUpAndListsSchemasLikeConfluentsRegistry() {
        String subject = EmbeddedKafkaExtension.uniqueId("orders") + "-value";

        Answer registered = http.post("/subjects/" + subject + "/versions", schemaBody(V1));
        assertThat(registered.status()).isEqualTo(200);
        assertThat(registered.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        int id = registered.json().path("id").asInt();
        assertThat(id).isPositive();

        // The same schema again is the same id and no new version.
        assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(V1)).json().path("id").asInt())
                .isEqualTo(id);

        Answer byId = http.get("/schemas/ids/" + id);
        assertThat(byId.status()).isEqualTo(200);
        assertThat(new Schema.Parser().parse(byId.json().path("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(V1));
        assertThat(http.get("/schemas/ids/" + id + "/schema").json().path("name").asText()).isEqualTo("Probe");

        assertThat(http.get("/subjects").json()).extracting(node -> node.asText()).contains(subject);
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1]");

        Answer latest = http.get("/subjects/" + subject + "/versions/latest");
        assertThat(latest.json().path("subject").asText()).isEqualTo(subject);
        assertThat(latest.json().path("version").asInt()).isEqualTo(1);
        assertThat(latest.json().path("id").asInt()).isEqualTo(id);
        assertThat(http.get("/subjects/" + subject + "/versions/1").json()).isEqualTo(latest.json());

        Answer lookup = http.post("/subjects/" + subject, schemaBody(V1));
        assertThat(lookup.status()).isEqualTo(200);
        assertThat(lookup.json().path("id").asInt()).isEqualTo(id);
        assertThat(lookup.json().path("version").asInt()).isEqualTo(1);
        assertThat(http.post("/subjects/" + subject, schemaBody(V2_WITH_DEFAULT)).json().path("error_code").asInt())
                .isEqualTo(40403);
    }

    @Test
    void acceptsCompatibleEvolutionAndRefusesIncompatibleWith409() {
        String subject = EmbeddedKafkaExtension.uniqueId("evolving") + "-value";
        int v1 = http.post("/subjects/" + subject + "/versions", schemaBody(V1)).json().path("id").asInt();

        Answer check = http.post("/compatibility/subjects/" + subject + "/versions/latest",
                schemaBody(V2_WITH_DEFAULT));
        assertThat(check.json().path("is_compatible").asBoolean()).isTrue();
        Answer v2 = http.post("/subjects/" + subject + "/versions", schemaBody(V2_WITH_DEFAULT));
        assertThat(v2.status()).isEqualTo(200);
        assertThat(v2.json().path("id").asInt()).isNotEqualTo(v1);

        Answer checkV3 = http.post("/compatibility/subjects/" + subject + "/versions/latest?verbose=true",
                schemaBody(V3_WITHOUT_DEFAULT));
        assertThat(checkV3.json().path("is_compatible").asBoolean()).isFalse();
        assertThat(checkV3.json().path("messages").toString()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");

        Answer refused = http.post("/subjects/" + subject + "/versions", schemaBody(V3_WITHOUT_DEFAULT));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("error_code").asInt()).isEqualTo(409);
        assertThat(refused.json().path("message").asText()).contains("incompatible");
        assertThat(http.get("/subjects/" + subject + "/versions").json().toString()).isEqualTo("[1,2]");
    }

    @Test
    void checksEveryEarlierVersionUnderBackwardTransitive() {
        String subject = EmbeddedKafkaExtension.uniqueId("transitive") + "-value";
        String withX = record("{\"name\":\"x\",\"type\":\"string\"}");
        String withoutX = "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"it\",\"fields\":[]}";
        String xAsInt = record("{\"name\":\"x\",\"type\":\"int\",\"default\":0}");
        assertThat(http.get("/config").json().path("compatibilityLevel").asText()).isEqualTo("BACKWARD_TRANSITIVE");
        assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(withX)).status()).isEqualTo(200);
        assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(withoutX)).status()).isEqualTo(200);

        // xAsInt reads version 2 (x takes its default) but not version 1 (x is a string there).
        assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(xAsInt)).status()).isEqualTo(409);

        assertThat(http.get("/config/" + subject).json().path("error_code").asInt()).isEqualTo(40408);
        assertThat(http.put("/config/" + subject, "{\"compatibility\":\"BACKWARD\"}").json().path("compatibility")
                .asText()).isEqualTo("BACKWARD");
        assertThat(http.get("/config/" + subject).json().path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(xAsInt)).status()).isEqualTo(200);
        assertThat(http.get("/config").json().path("compatibilityLevel").asText()).isEqualTo("BACKWARD_TRANSITIVE");
    }

    @Test
    void givesTheSameIdToTheSameCanonicalSchemaFromAnyClientAndSubject() {
        String javaFlavoured = "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"it\",\"fields\":["
                + "{\"name\":\"a\",\"type\":{\"type\":\"string\",\"avro.java.string\":\"String\"}}]}";
        String pythonFlavoured = "{\n  \"type\": \"record\",\n  \"namespace\": \"it\",\n  \"name\": \"Probe\",\n"
                + "  \"fields\": [ {\"type\": \"string\", \"name\": \"a\"} ]\n}";
        String first = EmbeddedKafkaExtension.uniqueId("java") + "-value";
        String second = EmbeddedKafkaExtension.uniqueId("python") + "-value";

        int javaId = http.post("/subjects/" + first + "/versions", schemaBody(javaFlavoured)).json().path("id").asInt();
        int pythonId = http.post("/subjects/" + second + "/versions", schemaBody(pythonFlavoured)).json().path("id")
                .asInt();

        assertThat(pythonId).isEqualTo(javaId);
        assertThat(http.get("/schemas/ids/" + javaId).json().path("schema").asText()).doesNotContain("avro.java");
        assertThat(http.get("/schemas/ids/" + javaId + "/subjects").json().toString()).contains(first, second);
    }

    @Test
    void answersUnknownThingsWithConfluentsJsonErrors() {
        Answer unknownPath = http.get("/associations/subjects/anything");
        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(unknownPath.json().path("error_code").asInt()).isEqualTo(404);

        Answer unknownId = http.get("/schemas/ids/987654");
        assertThat(unknownId.status()).isEqualTo(404);
        assertThat(unknownId.json().path("error_code").asInt()).isEqualTo(40403);

        Answer unknownSubject = http.get("/subjects/" + EmbeddedKafkaExtension.uniqueId("nobody") + "/versions");
        assertThat(unknownSubject.status()).isEqualTo(404);
        assertThat(unknownSubject.json().path("error_code").asInt()).isEqualTo(40401);

        Answer unknownVersion = http.get("/subjects/" + registeredSubject() + "/versions/42");
        assertThat(unknownVersion.json().path("error_code").asInt()).isEqualTo(40402);

        Answer invalid = http.post("/subjects/" + EmbeddedKafkaExtension.uniqueId("bad") + "/versions",
                schemaBody("{\"type\":\"record\",\"name\":\"NoFields\"}"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().path("error_code").asInt()).isEqualTo(42201);

        Answer notJson = http.post("/subjects/x/versions", "{not json");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().path("message").asText()).isNotBlank();
    }

    private static String registeredSubject() {
        String subject = EmbeddedKafkaExtension.uniqueId("known") + "-value";
        http.post("/subjects/" + subject + "/versions", schemaBody(V1));
        return subject;
    }

    private static String record(String fields) {
        return "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"it\",\"fields\":[" + fields + "]}";
    }
}
