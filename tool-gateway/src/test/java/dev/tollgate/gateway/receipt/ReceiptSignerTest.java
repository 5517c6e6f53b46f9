package dev.tollgate.gateway.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.Receipt;
import dev.tollgate.events.ToolCallStatus;
import dev.tollgate.events.hash.CanonicalJson;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiptSignerTest {

    @TempDir
    Path dir;

    private Receipt.Builder unsigned() {
        return Receipt.newBuilder()
                .setRunId("run-1").setCallId("call-1").setTool("echo")
                .setArgsSha256(CanonicalJson.sha256("{\"a\":1}"))
                .setResultSha256(CanonicalJson.sha256("{\"echo\":{\"a\":1}}"))
                .setStatus(ToolCallStatus.SUCCEEDED)
                .setStartedAt(Instant.ofEpochMilli(1_000)).setFinishedAt(Instant.ofEpochMilli(2_000));
    }

    @Test
    void signsReceiptsThatVerifyAndRejectsTamperedOnes() {
        ReceiptSigner signer = ReceiptSigner.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub"));
        Receipt receipt = signer.sign(unsigned());

        assertThat(receipt.getKeyId()).isEqualTo(ReceiptCanonicalForm.keyId(signer.publicKey()));
        assertThat(ReceiptCanonicalForm.verify(receipt, signer.publicKey())).isTrue();

        Receipt tampered = Receipt.newBuilder(receipt)
                .setResultSha256(CanonicalJson.sha256("{\"echo\":{\"a\":2}}")).build();
        assertThat(ReceiptCanonicalForm.verify(tampered, signer.publicKey())).isFalse();
        Receipt otherStatus = Receipt.newBuilder(receipt).setStatus(ToolCallStatus.FAILED).build();
        assertThat(ReceiptCanonicalForm.verify(otherStatus, signer.publicKey())).isFalse();
    }

    @Test
    void keepsTheKeyPairAcrossRestartsWithAnOwnerOnlyPrivateKey() throws Exception {
        ReceiptSigner first = ReceiptSigner.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub"));
        ReceiptSigner second = ReceiptSigner.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub"));

        assertThat(second.keyId()).isEqualTo(first.keyId());
        assertThat(ReceiptCanonicalForm.verify(second.sign(unsigned()), first.publicKey())).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void refusesAnIncompleteKeyPair() throws Exception {
        ReceiptSigner.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub"));
        Files.delete(dir.resolve("k.pub"));

        assertThatThrownBy(() -> ReceiptSigner.loadOrCreate(dir.resolve("k.key"), dir.resolve("k.pub")))
                .hasMessageContaining("incomplete");
    }
}
