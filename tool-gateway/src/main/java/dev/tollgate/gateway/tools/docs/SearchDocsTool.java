package dev.tollgate.gateway.tools.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.fs.PathEscapeException;
import dev.tollgate.gateway.tools.fs.SafeRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code search_docs {q}}: full-text search over the text files under {@code docs.root}. The query is split into
 * lower-case terms; a file scores the number of times the terms occur in it, and only files containing every term
 * match. The best ten come back with a snippet around the first hit. Files are read fresh on every call (the tree
 * is small and local); links leading outside the root are skipped.
 */
public final class SearchDocsTool implements Tool {

    static final int MAX_HITS = 10;
    private static final int SNIPPET_CHARS = 160;
    private static final String SCHEMA = """
            {"type": "object", "required": ["q"], "properties": {"q": {"type": "string", "minLength": 1}}}""";

    private final SafeRoot root;
    private final long maxFileBytes;

    public SearchDocsTool(Path root, long maxFileBytes) {
        this.root = new SafeRoot(root);
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public String name() {
        return "search_docs";
    }

    @Override
    public String argsSchemaJson() {
        return SCHEMA;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode execute(ToolCall call) throws Exception {
        String query = call.args().path("q").asText();
        List<String> terms = Arrays.stream(query.toLowerCase(Locale.ROOT).split("\\W+"))
                .filter(t -> !t.isEmpty()).distinct().toList();
        List<Hit> hits = new ArrayList<>();
        if (!terms.isEmpty() && Files.isDirectory(root.root())) {
            try (Stream<Path> files = Files.walk(root.root())) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    if (call.remaining().isZero()) {
                        throw new TimeoutException("search_docs ran past its deadline");
                    }
                    Hit hit = score(file, terms);
                    if (hit != null) {
                        hits.add(hit);
                    }
                }
            }
        }
        hits.sort(Comparator.comparingInt(Hit::score).reversed().thenComparing(Hit::path));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("q", query);
        out.put("total", hits.size());
        ArrayNode array = out.putArray("hits");
        hits.stream().limit(MAX_HITS).forEach(h -> array.addObject()
                .put("path", h.path()).put("score", h.score()).put("snippet", h.snippet()));
        return out;
    }

    private Hit score(Path file, List<String> terms) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Path real;
        try {
            real = root.resolve(root.root().relativize(file).toString());
        } catch (PathEscapeException e) {
            return null;
        }
        if (Files.size(real) > maxFileBytes) {
            return null;
        }
        String text = new String(Files.readAllBytes(real), StandardCharsets.UTF_8);
        String lower = text.toLowerCase(Locale.ROOT);
        int score = 0;
        int first = -1;
        for (String term : terms) {
            int count = 0;
            for (int i = lower.indexOf(term); i >= 0; i = lower.indexOf(term, i + term.length())) {
                count++;
                if (first < 0 || i < first) {
                    first = i;
                }
            }
            if (count == 0) {
                return null;
            }
            score += count;
        }
        int from = Math.max(0, first - SNIPPET_CHARS / 2);
        int to = Math.min(text.length(), from + SNIPPET_CHARS);
        String snippet = text.substring(from, to).replaceAll("\\s+", " ").trim();
        return new Hit(root.relativize(real), score, snippet);
    }

    private record Hit(String path, int score, String snippet) {
    }
}
