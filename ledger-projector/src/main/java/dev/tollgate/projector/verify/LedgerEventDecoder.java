package dev.tollgate.projector.verify;

import dev.tollgate.events.LedgerEvent;
import dev.tollgate.events.Topics;
import dev.tollgate.events.registry.SchemaRegistryClient;
import dev.tollgate.events.serde.AvroTrust;
import dev.tollgate.events.serde.TollgateSerdes;
import dev.tollgate.events.serde.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decodes tollgate.ledger.v1 record values (Confluent wire format) for the bulk readers of the ledger,
 * {@code tollgate ledger replay|verify}, reading only the envelope fields the caller names.
 *
 * <p>Fast path: when a record's writer schema has the Parsing Canonical Form of the {@code LedgerEvent} schema this
 * build was compiled with (the same binary layout), the envelope is read field by field and the fields not asked for
 * are skipped without building their {@code String}s or {@code Instant}s; the payload is always decoded in full by
 * Avro. A record the fast path does not take (written with another schema) or cannot decode goes to the full decoder
 * (the topic's serde), so a record decodes here exactly when the full decoder decodes it, and a failure carries the
 * full decoder's message.
 *
 * <p>The events returned carry only the named envelope fields and the payload; the other fields are {@code null}
 * (or 0). Use them for what the caller reads, never re-serialize or hash them (hash the record's bytes). Thread-safe.
 */
public final class LedgerEventDecoder {

    /** Strings longer than this go to the full decoder, which applies Avro's own string limit. */
    private static final long MAX_SKIPPED_STRING = Math.min(1 << 20,
            Long.getLong(SystemLimitException.MAX_STRING_LENGTH_PROPERTY, Integer.MAX_VALUE));

    /**
     * The Parsing Canonical Form of the compiled schema: a writer schema with the same form has the same binary
     * layout (field order, types, union branches, enum symbols), so its records read as the compiled schema's.
     */
    private static final String CURRENT_FORM = SchemaNormalization.toParsingForm(LedgerEvent.getClassSchema());

    /** Envelope strings up to this long are remembered for the next record (runIds, tenants, principals...). */
    private static final int MAX_CACHED_STRING = 128;
    /** One payload decoder per thread, reset for each record. */
    private static final ThreadLocal<BinaryDecoder> BINARY = new ThreadLocal<>();

    private final Deserializer<LedgerEvent> full;
    private final SchemaRegistryClient registry;
    /** The envelope as read steps, in the schema's field order; {@code null}: no fast path. */
    private final Step[] steps;
    private final DatumReader<?>[] payloadReaders;
    private final Map<Integer, Boolean> currentSchemaById = new ConcurrentHashMap<>();
    /** Per envelope step, the last string it read (racy but safe: {@link Cached} is immutable). */
    private final Cached[] lastStrings;
    private final LongAdder fastDecoded = new LongAdder();
    private final LongAdder fullyDecoded = new LongAdder();

    private LedgerEventDecoder(Deserializer<LedgerEvent> full, SchemaRegistryClient registry, Set<String> fields) {
        this.full = full;
        this.registry = registry;
        Schema schema = LedgerEvent.getClassSchema();
        Step[] planned = registry == null ? null : plan(schema, fields);
        this.steps = planned;
        this.payloadReaders = planned == null ? null : payloadReaders(schema);
        this.lastStrings = new Cached[planned == null ? 0 : planned.length];
    }

    /**
     * A decoder of ledger values with {@code serdes}' registry and serde that reads the envelope fields named in
     * {@code fields} (names of {@code LedgerEvent} fields; the payload is always read).
     */
    public static LedgerEventDecoder of(TollgateSerdes serdes, Set<String> fields) {
        AvroTrust.ensure();
        return new LedgerEventDecoder(serdes.value(Topics.LEDGER).deserializer(), serdes.registry(), Set.copyOf(fields));
    }

    /** A decoder that decodes every record in full with {@code full} (no fast path). */
    public static LedgerEventDecoder full(Deserializer<LedgerEvent> full) {
        return new LedgerEventDecoder(full, null, Set.of());
    }

    /**
     * The event of a ledger record value; throws what the full decoder throws for a value it cannot decode
     * (a {@code SerializationException} from the topic's serde).
     */
    public LedgerEvent decode(byte[] value) {
        if (steps != null && value != null && value.length >= WireFormat.HEADER_SIZE && value[0] == WireFormat.MAGIC
                && isCurrentSchema(WireFormat.schemaId(value))) {
            LedgerEvent event = decodeBody(value, WireFormat.HEADER_SIZE, value.length - WireFormat.HEADER_SIZE);
            if (event != null) {
                fastDecoded.increment();
                return event;
            }
        }
        fullyDecoded.increment();
        return full.deserialize(Topics.LEDGER.name(), value);
    }

    /** Records decoded on the fast path so far. */
    public long fastDecoded() {
        return fastDecoded.sum();
    }

    /** Records given to the full decoder so far (including ones it could not decode). */
    public long fullyDecoded() {
        return fullyDecoded.sum();
    }

    private boolean isCurrentSchema(int id) {
        Boolean known = currentSchemaById.get(id);
        if (known == null) {
            try {
                known = CURRENT_FORM.equals(SchemaNormalization.toParsingForm(registry.schemaById(id)));
            } catch (RuntimeException e) {
                known = false; // an unknown id: the full decoder says so
            }
            currentSchemaById.put(id, known);
        }
        return known;
    }

    /** The event, or {@code null} when the body does not decode on the fast path. */
    private LedgerEvent decodeBody(byte[] bytes, int offset, int length) {
        Cursor in = new Cursor(bytes, offset, offset + length);
        LedgerEvent event = new LedgerEvent();
        try {
            for (int i = 0; i < steps.length; i++) {
                Step step = steps[i];
                switch (step.kind) {
                    case STRING -> readOrSkipString(in, event, step, i);
                    case LONG -> {
                        long value = in.readLong();
                        if (step.read) {
                            event.put(step.pos, step.instant ? Instant.ofEpochMilli(value) : (Object) value);
                        }
                    }
                    case NULLABLE_STRING -> {
                        int branch = in.readInt();
                        if (branch == step.nullBranch) {
                            if (step.read) {
                                event.put(step.pos, null);
                            }
                        } else if (branch == 1 - step.nullBranch) {
                            readOrSkipString(in, event, step, i);
                        } else {
                            return null;
                        }
                    }
                    case PAYLOAD -> {
                        int branch = in.readInt();
                        if (branch < 0 || branch >= payloadReaders.length) {
                            return null;
                        }
                        BinaryDecoder payload = DecoderFactory.get().binaryDecoder(bytes, in.pos, in.limit - in.pos,
                                BINARY.get());
                        BINARY.set(payload);
                        event.put(step.pos, payloadReaders[branch].read(null, payload));
                        if (!payload.isEnd()) {
                            return null;
                        }
                        in.pos = in.limit;
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return in.pos == in.limit ? event : null;
        } catch (IOException | RuntimeException e) {
            return null; // the full decoder decides, and words the error
        }
    }

    private void readOrSkipString(Cursor in, LedgerEvent event, Step step, int index) {
        long length = in.readLong();
        if (length < 0 || length > MAX_SKIPPED_STRING || length > in.limit - in.pos) {
            throw new IllegalArgumentException("string length " + length);
        }
        int len = (int) length;
        if (step.read) {
            // Envelope strings repeat from record to record (tenant, principal, policy version, often the run):
            // the last value of each field is kept and reused while the bytes are the same.
            Cached last = lastStrings[index];
            String value;
            if (last != null && Arrays.equals(last.utf8, 0, last.utf8.length, in.bytes, in.pos, in.pos + len)) {
                value = last.value;
            } else {
                value = new String(in.bytes, in.pos, len, StandardCharsets.UTF_8);
                if (len <= MAX_CACHED_STRING) {
                    lastStrings[index] = new Cached(Arrays.copyOfRange(in.bytes, in.pos, in.pos + len), value);
                }
            }
            event.put(step.pos, value);
        }
        in.pos += len;
    }

    /** The last string read by one envelope field: its UTF-8 bytes and the String made of them. */
    private record Cached(byte[] utf8, String value) {
    }

    /**
     * Avro's binary encoding of the envelope, read over the record's bytes with the checks of Avro's
     * {@code BinaryDecoder}: a varint int of at most 5 bytes, a varint long of at most 10, nothing past the end.
     */
    private static final class Cursor {
        private final byte[] bytes;
        private final int limit;
        private int pos;

        Cursor(byte[] bytes, int pos, int limit) {
            this.bytes = bytes;
            this.pos = pos;
            this.limit = limit;
        }

        private int next() {
            if (pos >= limit) {
                throw new IllegalArgumentException("end of record");
            }
            return bytes[pos++] & 0xff;
        }

        int readInt() {
            int n = 0;
            for (int shift = 0; shift <= 28; shift += 7) {
                int b = next();
                n ^= (b & 0x7f) << shift;
                if (b <= 0x7f) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
            throw new IllegalArgumentException("invalid int encoding");
        }

        long readLong() {
            long n = 0;
            for (int shift = 0; shift <= 63; shift += 7) {
                int b = next();
                n ^= (b & 0x7fL) << shift;
                if (b <= 0x7f) {
                    return (n >>> 1) ^ -(n & 1);
                }
            }
            throw new IllegalArgumentException("invalid long encoding");
        }
    }

    private enum Kind { STRING, LONG, NULLABLE_STRING, PAYLOAD }

    private record Step(Kind kind, int pos, boolean read, boolean instant, int nullBranch) {
    }

    /** The read steps of the envelope; {@code null} when a field has a type the fast path does not handle. */
    private static Step[] plan(Schema schema, Set<String> fields) {
        List<Step> out = new ArrayList<>();
        int payloads = 0;
        for (Schema.Field field : schema.getFields()) {
            Schema type = field.schema();
            boolean read = fields.contains(field.name());
            switch (type.getType()) {
                case STRING -> out.add(new Step(Kind.STRING, field.pos(), read, false, -1));
                case LONG -> {
                    boolean instant = type.getLogicalType() instanceof LogicalTypes.TimestampMillis;
                    if (type.getLogicalType() != null && !instant) {
                        return null;
                    }
                    out.add(new Step(Kind.LONG, field.pos(), read, instant, -1));
                }
                case UNION -> {
                    List<Schema> branches = type.getTypes();
                    if (branches.stream().allMatch(b -> b.getType() == Schema.Type.RECORD)) {
                        out.add(new Step(Kind.PAYLOAD, field.pos(), true, false, -1));
                        payloads++;
                    } else if (branches.size() == 2 && branches.get(0).getType() == Schema.Type.NULL
                            && branches.get(1).getType() == Schema.Type.STRING) {
                        out.add(new Step(Kind.NULLABLE_STRING, field.pos(), read, false, 0));
                    } else if (branches.size() == 2 && branches.get(1).getType() == Schema.Type.NULL
                            && branches.get(0).getType() == Schema.Type.STRING) {
                        out.add(new Step(Kind.NULLABLE_STRING, field.pos(), read, false, 1));
                    } else {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        // The payload is read by Avro to the end of the record, so it must be the last field.
        return payloads == 1 && out.get(out.size() - 1).kind == Kind.PAYLOAD ? out.toArray(Step[]::new) : null;
    }

    private static DatumReader<?>[] payloadReaders(Schema schema) {
        for (Schema.Field field : schema.getFields()) {
            Schema type = field.schema();
            if (type.getType() == Schema.Type.UNION
                    && type.getTypes().stream().allMatch(b -> b.getType() == Schema.Type.RECORD)) {
                return type.getTypes().stream().map(b -> new SpecificDatumReader<>(b, b)).toArray(DatumReader[]::new);
            }
        }
        return new DatumReader<?>[0];
    }
}
