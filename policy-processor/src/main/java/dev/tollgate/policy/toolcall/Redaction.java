package dev.tollgate.policy.toolcall;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;

/** {@code redact} obligations: JSON pointers in the ledger's copy of the arguments replaced by a marker. */
final class Redaction {

    static final String MARKER = "***REDACTED***";

    private Redaction() {
    }

    /** The arguments with every present pointer masked; {@code masked} receives the pointers that were present. */
    static JsonNode apply(JsonNode args, List<String> pointers, List<String> masked) {
        JsonNode copy = args.deepCopy();
        for (String text : pointers) {
            JsonPointer pointer = JsonPointer.compile(text);
            JsonNode parent = copy.at(pointer.head());
            String last = pointer.last().getMatchingProperty();
            if (parent instanceof ObjectNode object && object.has(last)) {
                object.set(last, TextNode.valueOf(MARKER));
                masked.add(text);
            } else if (parent instanceof ArrayNode array && pointer.last().getMatchingIndex() >= 0
                    && pointer.last().getMatchingIndex() < array.size()) {
                array.set(pointer.last().getMatchingIndex(), TextNode.valueOf(MARKER));
                masked.add(text);
            }
        }
        return copy;
    }

    static List<String> union(List<List<String>> lists) {
        List<String> all = new ArrayList<>();
        lists.forEach(list -> list.stream().filter(p -> !all.contains(p)).forEach(all::add));
        return all;
    }
}
