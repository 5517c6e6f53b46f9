package dev.tollgate.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * SnakeYAML's node API, used so that every value keeps the line it came from. Composing builds no Java objects
 * from tags, so a bundle cannot instantiate classes.
 */
final class Yaml {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Yaml() {
    }

    /** 1-based line of a node. */
    static int line(Node node) {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** The single document of a text, or null with a problem recorded. */
    static Node compose(String text, Problems problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported as problems with their lines instead
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(4 * 1024 * 1024);
        org.yaml.snakeyaml.Yaml yaml = new org.yaml.snakeyaml.Yaml(options);
        try {
            List<Node> documents = new ArrayList<>();
            yaml.composeAll(new StringReader(text)).forEach(documents::add);
            if (documents.isEmpty()) {
                problems.add(1, null, "the bundle is empty");
                return null;
            }
            if (documents.size() > 1) {
                problems.add(line(documents.get(1)), null, "a bundle is one YAML document, found " + documents.size());
                return null;
            }
            return documents.get(0);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            problems.add(line, null, "YAML syntax: " + e.getProblem());
            return null;
        } catch (YAMLException e) {
            problems.add(0, null, "YAML: " + e.getMessage());
            return null;
        }
    }

    /** Entries of a mapping in order; duplicate and non-scalar keys are problems. Null when node is no mapping. */
    static Map<String, Node> mapping(Node node, String what, String ruleId, Problems problems) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(line(node), ruleId, what + " must be a mapping");
            return null;
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                problems.add(line(tuple.getKeyNode()), ruleId, what + ": keys must be scalars");
                continue;
            }
            if (keys.containsKey(key.getValue())) {
                problems.add(line(key), ruleId, what + ": duplicate key '" + key.getValue() + "' (first at line "
                        + line(keys.get(key.getValue())) + ")");
                continue;
            }
            keys.put(key.getValue(), key);
            entries.put(key.getValue(), tuple.getValueNode());
        }
        return entries;
    }

    /** Reports every key not in {@code allowed}: a misspelt key must never be silently ignored. */
    static void onlyKeys(Map<String, Node> entries, String what, String ruleId, Problems problems,
                         String... allowed) {
        List<String> known = List.of(allowed);
        entries.forEach((key, value) -> {
            if (!known.contains(key)) {
                problems.add(line(value), ruleId, what + ": unknown key '" + key + "' (expected one of "
                        + String.join(", ", known) + ")");
            }
        });
    }

    static List<Node> sequence(Node node, String what, String ruleId, Problems problems) {
        if (!(node instanceof SequenceNode sequence)) {
            problems.add(line(node), ruleId, what + " must be a list");
            return null;
        }
        return sequence.getValue();
    }

    static boolean isNull(Node node) {
        return node == null || (node instanceof ScalarNode && Tag.NULL.equals(node.getTag()));
    }

    /** A scalar's text, or null with a problem when it is missing or not a scalar. */
    static String string(Node node, String what, String ruleId, Problems problems, Node parent) {
        if (node == null) {
            problems.add(line(parent), ruleId, what + " is required");
            return null;
        }
        if (!(node instanceof ScalarNode scalar) || isNull(node)) {
            problems.add(line(node), ruleId, what + " must be a string");
            return null;
        }
        if (scalar.getValue().isBlank()) {
            problems.add(line(node), ruleId, what + " must not be empty");
            return null;
        }
        return scalar.getValue();
    }

    static Long integer(Node node, String what, String ruleId, Problems problems) {
        if (!(node instanceof ScalarNode scalar) || !Tag.INT.equals(node.getTag())) {
            problems.add(line(node), ruleId, what + " must be an integer");
            return null;
        }
        try {
            long value = new BigInteger(scalar.getValue().replace("_", "")).longValueExact();
            if (value < 0) {
                problems.add(line(node), ruleId, what + " must not be negative");
                return null;
            }
            return value;
        } catch (ArithmeticException | NumberFormatException e) {
            problems.add(line(node), ruleId, what + " is not a 64-bit integer: " + scalar.getValue());
            return null;
        }
    }

    static List<String> strings(Node node, String what, String ruleId, Problems problems) {
        List<Node> items = sequence(node, what, ruleId, problems);
        if (items == null) {
            return null;
        }
        List<String> values = new ArrayList<>();
        for (Node item : items) {
            String value = string(item, what + " item", ruleId, problems, node);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    /** A YAML tree as JSON, with scalars typed by their resolved YAML tags (so {@code 5} is a number). */
    static JsonNode toJson(Node node, String ruleId, Problems problems) {
        if (node instanceof MappingNode) {
            ObjectNode object = JSON.objectNode();
            Map<String, Node> entries = mapping(node, "JSON object", ruleId, problems);
            if (entries != null) {
                entries.forEach((key, value) -> object.set(key, toJson(value, ruleId, problems)));
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            sequence.getValue().forEach(item -> array.add(toJson(item, ruleId, problems)));
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.NULL.equals(tag)) {
                return JSON.nullNode();
            }
            if (Tag.BOOL.equals(tag)) {
                return JSON.booleanNode(text.equalsIgnoreCase("true") || text.equalsIgnoreCase("yes")
                        || text.equalsIgnoreCase("on"));
            }
            if (Tag.INT.equals(tag)) {
                return JSON.numberNode(new BigInteger(text.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return JSON.numberNode(Double.parseDouble(text.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            problems.add(line(node), ruleId, "not a number: " + text);
        }
        return JSON.textNode(text);
    }
}
