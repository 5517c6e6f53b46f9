package dev.tollgate.events.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.RunCompleted;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.AvroBinary;
import dev.tollgate.events.serde.TollgateSerdes;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LedgerHashTest {

    private final TollgateSerdes serdes = new TollgateSerdes(new InMemorySchemaRegistry());

    @Test
    void genesisIsSixtyFourZeros() {
        assertThat(LedgerHash.GENESIS).hasSize(64).matches("0+");
    }

    @Test
    void hashOfAnEventEqualsHashOfItsRawRecordBodyWithoutTheWireHeader() {
        LedgerEvent event = event(1, LedgerHash.GENESIS);
        byte[] wire = serdes.value(Topics.LEDGER).serializer().serialize(Topics.LEDGER.name(), event);

        assertThat(LedgerHash.ofRecordValue(wire)).isEqualTo(LedgerHash.of(event));
        assertThat(LedgerHash.of(event)).isEqualTo(Sha256.hex(AvroBinary.encode(event))).hasSize(64);
        assertThat(LedgerHash.of(event)).isNotEqualTo(Sha256.hex(wire));
    }

    @Test
    void chainingLinksEachEventToThePreviousHash() {
        LedgerEvent first = event(1, LedgerHash.GENESIS);
        LedgerEvent second = event(2, LedgerHash.of(first));
        LedgerEvent forged = event(2, LedgerHash.of(event(1, "f".repeat(64))));

        assertThat(second.getPrevHash()).isEqualTo(LedgerHash.of(first));
        assertThat(forged.getPrevHash()).isNotEqualTo(LedgerHash.of(first));
    }

    @Test
    void anyChangeToTheBodyChangesTheHash() {
        LedgerEvent event = event(1, LedgerHash.GENESIS);
        byte[] wire = serdes.value(Topics.LEDGER).serializer().serialize(Topics.LEDGER.name(), event);
        byte[] tampered = Arrays.copyOf(wire, wire.length);
        tampered[tampered.length - 1] ^= 1;

        assertThat(LedgerHash.ofRecordValue(tampered)).isNotEqualTo(LedgerHash.ofRecordValue(wire));
    }

    @Test
    void refusesRecordsWithoutTheWireHeader() {
        assertThatThrownBy(() -> LedgerHash.ofRecordValue(new byte[] {7, 0, 0, 0, 1, 9}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static LedgerEvent event(long seq, String prevHash) {
        return LedgerEvent.newBuilder()
                .setRunId("run-1").setSeq(seq).setEventId("e-" + seq)
                .setOccurredAt(Instant.ofEpochMilli(1_795_000_000_000L + seq))
                .setTenantId("acme").setPrincipalId("agent-1")
                .setPrevHash(prevHash)
                .setPayload(RunCompleted.newBuilder().setOutcome("done").build())
                .build();
    }
}
