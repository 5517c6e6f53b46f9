package dev.tollgate.events.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.ApprovalDecision;
import dev.tollgate.events.Command;
import dev.tollgate.events.DecideApproval;
import dev.tollgate.events.RequestToolCall;
import dev.tollgate.events.ToolCallDispatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProofsTest {

    private static Command command() {
        return Command.newBuilder().setCommandId("c-1").setRunId("r-1").setTenantId("acme").setPrincipalId("p-1")
                .setIssuedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setPayload(RequestToolCall.newBuilder().setCallId("call-1").setTool("fs.read")
                        .setArgsJson("{\"path\":\"a\"}").build())
                .build();
    }

    @Test
    void hmacProofVerifiesWithTheRingAndFailsOnAnyChange() {
        KeyRing ring = KeyRing.random();
        Command signed = Proofs.signHmac(command(), ring, "intake");

        assertThat(Proofs.verifyHmac(signed, ring)).isTrue();
        assertThat(Proofs.verifyHmac(Command.newBuilder(signed).setPrincipalId("p-2").build(), ring)).isFalse();
        assertThat(Proofs.verifyHmac(Command.newBuilder(signed).setTenantId("globex").build(), ring)).isFalse();
        assertThat(Proofs.verifyHmac(Command.newBuilder(signed).setIssuedAt(Instant.EPOCH).build(), ring)).isFalse();
        Command otherArgs = Command.newBuilder(signed).setPayload(RequestToolCall.newBuilder()
                .setCallId("call-1").setTool("fs.read").setArgsJson("{\"path\":\"b\"}").build()).build();
        assertThat(Proofs.verifyHmac(otherArgs, ring)).isFalse();
        assertThat(Proofs.verifyHmac(signed, KeyRing.random())).isFalse();
        assertThat(Proofs.verifyHmac(command(), ring)).as("unsigned").isFalse();
    }

    @Test
    void proofFieldsOtherThanTheSignatureAreCovered() {
        KeyRing ring = KeyRing.random();
        Command signed = Proofs.signHmac(command(), ring, "intake");
        signed.getProof().setSignerId("someone-else");
        assertThat(Proofs.verifyHmac(signed, ring)).isFalse();
    }

    @Test
    void ed25519ProofVerifiesWithThePublicKeyOnly() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Command signed = Proofs.signEd25519(Command.newBuilder(command()).setPayload(DecideApproval.newBuilder()
                .setCallId("call-1").setDecision(ApprovalDecision.APPROVE).build()).build(),
                pair.getPrivate(), pair.getPublic(), "p-1");

        assertThat(signed.getProof().getKeyId()).isEqualTo(Proofs.keyId(pair.getPublic()));
        assertThat(Proofs.verifyEd25519(signed, pair.getPublic())).isTrue();
        assertThat(Proofs.verifyEd25519(signed, other.getPublic())).isFalse();
        assertThat(Proofs.verifyHmac(signed, KeyRing.random())).as("wrong scheme").isFalse();
        signed.getProof().setSignature("not base64 !");
        assertThat(Proofs.verifyEd25519(signed, pair.getPublic())).isFalse();
    }

    @Test
    void dispatchesAreSignedTheSameWay() {
        KeyRing ring = KeyRing.random();
        ToolCallDispatch dispatch = ToolCallDispatch.newBuilder().setRunId("r").setCallId("c").setTool("http.fetch")
                .setArgsJson("{}").setArgsSha256("x").setTenantId("acme").setPrincipalId("p")
                .setApprovedAt(Instant.ofEpochMilli(5)).build();
        Proofs.signHmac(dispatch, ring, "policy-processor");
        assertThat(Proofs.verifyHmac(dispatch, ring)).isTrue();
        dispatch.setArgsJson("{\"url\":\"http://evil.test/\"}");
        assertThat(Proofs.verifyHmac(dispatch, ring)).isFalse();
    }

    @Test
    void aFieldAddedWithItsDefaultDoesNotChangeTheSignedBytes() {
        Schema old = SchemaBuilder.record("R").namespace("x").fields().requiredString("a")
                .name("proof").type().nullType().nullDefault().endRecord();
        Schema newer = SchemaBuilder.record("R").namespace("x").fields().requiredString("a")
                .name("pin").type().nullable().stringType().noDefault()
                .name("b").type().stringType().stringDefault("")
                .name("proof").type().nullType().nullDefault().endRecord();
        GenericRecord before = new GenericData.Record(old);
        before.put("a", "v");
        GenericRecord after = new GenericData.Record(newer);
        after.put("a", "v");
        after.put("b", "");
        assertThat(new String(CanonicalForm.bytes(after), StandardCharsets.UTF_8))
                .contains("\"pin\":null")
                .as("a field without a default is covered even when null");
        GenericRecord withDefault = new GenericData.Record(SchemaBuilder.record("R").namespace("x").fields()
                .requiredString("a").name("b").type().stringType().stringDefault("")
                .name("proof").type().nullType().nullDefault().endRecord());
        withDefault.put("a", "v");
        withDefault.put("b", "");
        assertThat(CanonicalForm.bytes(withDefault)).isEqualTo(CanonicalForm.bytes(before));
        withDefault.put("b", "set");
        assertThat(CanonicalForm.bytes(withDefault)).isNotEqualTo(CanonicalForm.bytes(before));
    }

    @Test
    void keyFilesAreCreatedOwnerOnlyAndRotateByOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets/command-keys");
        KeyRing created = KeyRing.loadOrCreate(file);
        assertThat(KeyRing.loadOrCreate(file).activeKeyId()).isEqualTo(created.activeKeyId());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(created.toString()).doesNotContain(Files.readString(file).lines()
                .filter(l -> !l.startsWith("#")).findFirst().orElseThrow().split("=", 2)[1]);

        Command signedOld = Proofs.signHmac(command(), created, "intake");
        String newKey = Base64.getEncoder().encodeToString(new byte[32]);
        Files.writeString(file, "k-new=" + newKey + "\n" + Files.readString(file));
        KeyRing rotated = KeyRing.load(file);
        assertThat(rotated.activeKeyId()).isEqualTo("k-new");
        assertThat(Proofs.verifyHmac(signedOld, rotated)).as("old key still verifies").isTrue();
        assertThat(Proofs.signHmac(command(), rotated, "intake").getProof().getKeyId()).isEqualTo("k-new");
    }

    @Test
    void aMalformedKeyFileNamesTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# comment\nk1=short\n");
        assertThatThrownBy(() -> KeyRing.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2");
    }
}
