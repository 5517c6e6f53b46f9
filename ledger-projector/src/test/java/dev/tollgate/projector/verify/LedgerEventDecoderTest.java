package dev.tollgate.projector.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.ReasonCode;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.InMemorySchemaRegistry;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.serde.WireFormat;
import dev.tollgate.ledger.model.LedgerFold;
import dev.tollgate.ledger.model.testing.RunLedger;
import dev.tollgate.projector.fixtures.SampleRun;
import dev.tollgate.projector.fixtures.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class LedgerEventDecoderTest {

    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final TollgateSerdes serdes = new TollgateSerdes(registry);
    private final Wire wire = new Wire(serdes);
    private final Deserializer<LedgerEvent> full = serdes.value(Topics.LEDGER).deserializer();

    /** One run with every payload type, a traceparent on one event, and a signed receipt. */
    static List<LedgerEvent> everyKindOfEvent() {
        RunLedger run = SampleRun.everyDecision("acme");
        run.commandRejected("c7", ReasonCode.TOOL_UNKNOWN);
        run.halted(ReasonCode.TOOL_UNKNOWN);
        run.runCompleted();
        RunLedger rejected = RunLedger.forTenant("other");
        rejected.rejected(ReasonCode.TOOL_UNKNOWN);
        List<LedgerEvent> events = new ArrayList<>(run.events());
        events.set(1, LedgerEvent.newBuilder(events.get(1))
                .setTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build());
        events.addAll(rejected.events());
        return events;
    }

    @Test
    void readsTheNamedFieldsAndThePayloadAsTheFullDecoderDoesAndLeavesTheOthersOut() {
        LedgerEventDecoder decoder = LedgerEventDecoder.of(serdes, LedgerFold.RUN_VIEW_FIELDS);
        for (LedgerEvent event : everyKindOfEvent()) {
            LedgerEvent decoded = decoder.decode(wire.bytes(event));
            for (Schema.Field field : LedgerEvent.getClassSchema().getFields()) {
                Object expected = field.name().equals("payload") || LedgerFold.RUN_VIEW_FIELDS.contains(field.name())
                        ? event.get(field.pos()) : null;
                assertThat(decoded.get(field.pos())).as(field.name()).isEqualTo(expected);
            }
        }
        assertThat(decoder.fastDecoded()).isEqualTo(everyKindOfEvent().size());
        assertThat(decoder.fullyDecoded()).isZero();
    }

    @Test
    void everyFieldCanBeRead() {
        Set<String> all = Set.copyOf(LedgerEvent.getClassSchema().getFields().stream().map(Schema.Field::name)
                .toList());
        LedgerEventDecoder decoder = LedgerEventDecoder.of(serdes, all);
        for (LedgerEvent event : everyKindOfEvent()) {
            assertThat(decoder.decode(wire.bytes(event))).isEqualTo(event);
        }
        assertThat(decoder.fullyDecoded()).isZero();
    }

    @Test
    void aRecordWrittenWithAnotherSchemaIsDecodedInFull() {
        // The current schema with one more optional field at the end: a record of it is a current record's bytes
        // plus the field's null branch, and reads into the current class by schema resolution.
        Schema current = LedgerEvent.getClassSchema();
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(current.getName())
                .namespace(current.getNamespace()).fields();
        for (Schema.Field field : current.getFields()) {
            fields = fields.name(field.name()).type(field.schema()).noDefault();
        }
        Schema newer = fields.name("note").type().optional().stringType().endRecord();
        int newerId = registry.register(Topics.LEDGER.name() + "-value", newer);
        LedgerEvent event = everyKindOfEvent().get(2);
        byte[] currentBytes = wire.bytes(event);
        byte[] body = Arrays.copyOfRange(currentBytes, WireFormat.HEADER_SIZE, currentBytes.length + 1);
        byte[] newerBytes = WireFormat.frame(newerId, body);
        LedgerEventDecoder decoder = LedgerEventDecoder.of(serdes, LedgerVerifier.FIELDS);

        assertThat(decoder.decode(newerBytes)).isEqualTo(full.deserialize(Topics.LEDGER.name(), newerBytes))
                .isEqualTo(event);
        assertThat(decoder.fullyDecoded()).isEqualTo(1);
        assertThat(decoder.fastDecoded()).isZero();
    }

    @Test
    void aCorruptedOrTruncatedRecordDecodesExactlyWhenTheFullDecoderDecodesIt() {
        LedgerEventDecoder replay = LedgerEventDecoder.of(serdes, LedgerFold.RUN_VIEW_FIELDS);
        LedgerEventDecoder verify = LedgerEventDecoder.of(serdes, LedgerVerifier.FIELDS);
        List<LedgerEvent> events = everyKindOfEvent();
        int compared = 0;
        for (LedgerEvent event : List.of(events.get(0), events.get(1), events.get(2), events.get(20))) {
            byte[] bytes = wire.bytes(event);
            List<byte[]> variants = new ArrayList<>();
            for (int length = 0; length < bytes.length; length++) {
                variants.add(Arrays.copyOf(bytes, length));
            }
            variants.add(Arrays.copyOf(bytes, bytes.length + 1));
            for (int i = 0; i < bytes.length; i++) {
                for (int value : new int[] {0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xff}) {
                    byte[] corrupted = bytes.clone();
                    corrupted[i] = (byte) value;
                    variants.add(corrupted);
                }
            }
            for (byte[] variant : variants) {
                sameOutcome(replay, LedgerFold.RUN_VIEW_FIELDS, variant);
                sameOutcome(verify, LedgerVerifier.FIELDS, variant);
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(1000);
        assertThat(replay.fastDecoded()).isPositive();
        assertThat(replay.fullyDecoded()).isPositive();
    }

    @Test
    void paddedVarintsAreReadAsAvroReadsThemUpToTenBytesAndRefusedBeyond() {
        LedgerEvent event = everyKindOfEvent().get(1);
        byte[] bytes = wire.bytes(event);
        int runIdLength = event.getRunId().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int seqAt = WireFormat.HEADER_SIZE + 1 + runIdLength; // the runId's length fits one varint byte
        assertThat(bytes[seqAt]).isEqualTo((byte) (2 * event.getSeq()));
        LedgerEventDecoder decoder = LedgerEventDecoder.of(serdes, LedgerFold.RUN_VIEW_FIELDS);
        for (int padding = 1; padding <= 10; padding++) {
            byte[] padded = new byte[bytes.length + padding];
            System.arraycopy(bytes, 0, padded, 0, seqAt);
            padded[seqAt] = (byte) (bytes[seqAt] | 0x80);
            for (int i = 1; i < padding; i++) {
                padded[seqAt + i] = (byte) 0x80;
            }
            padded[seqAt + padding] = 0;
            System.arraycopy(bytes, seqAt + 1, padded, seqAt + padding + 1, bytes.length - seqAt - 1);
            sameOutcome(decoder, LedgerFold.RUN_VIEW_FIELDS, padded);
        }
        assertThat(decoder.fastDecoded()).as("seq in 2..10 bytes").isEqualTo(9);
        assertThat(decoder.fullyDecoded()).as("seq in 11 bytes").isEqualTo(1);
    }

    @Test
    void anUnknownSchemaIdFailsWithTheFullDecodersError() {
        byte[] bytes = WireFormat.frame(99, ByteBuffer.allocate(3).array());
        LedgerEventDecoder decoder = LedgerEventDecoder.of(serdes, LedgerVerifier.FIELDS);
        Throwable fast = catchThrowable(() -> decoder.decode(bytes));
        Throwable reference = catchThrowable(() -> full.deserialize(Topics.LEDGER.name(), bytes));
        assertThat(fast).isNotNull().hasSameClassAs(reference).hasMessage(reference.getMessage());
    }

    /** Both decode to the same named fields and payload, or both fail with the same error. */
    private void sameOutcome(LedgerEventDecoder decoder, Set<String> fields, byte[] value) {
        LedgerEvent reference;
        try {
            reference = full.deserialize(Topics.LEDGER.name(), value);
        } catch (RuntimeException e) {
            Throwable fast = catchThrowable(() -> decoder.decode(value));
            assertThat(fast).as("fast path on bytes the full decoder refuses").isNotNull()
                    .hasSameClassAs(e).hasMessage(e.getMessage());
            return;
        }
        LedgerEvent decoded = decoder.decode(value);
        for (Schema.Field field : LedgerEvent.getClassSchema().getFields()) {
            if (field.name().equals("payload") || fields.contains(field.name())) {
                assertThat(decoded.get(field.pos())).as(field.name()).isEqualTo(reference.get(field.pos()));
            }
        }
    }
}
