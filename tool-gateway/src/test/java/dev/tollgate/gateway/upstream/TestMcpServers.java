package dev.tollgate.gateway.upstream;

import java.nio.file.Path;
import java.util.List;

/** How tests start {@link TestMcpServer} as a stdio child JVM: the {@code command:} of a gateway config. */
public final class TestMcpServers {

    private TestMcpServers() {
    }

    /** The command line of a stdio test server recording its calls in {@code calls}. */
    public static List<String> stdioCommand(Path calls, Path description) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String log4j = Path.of("src/test/resources/mcp-server-log4j2.properties").toAbsolutePath().toString();
        return List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dlog4j2.configurationFile=" + log4j,
                "-cp", System.getProperty("java.class.path"), TestMcpServer.class.getName(), calls.toString(),
                description.toString());
    }

    /** The command as a YAML flow sequence. */
    public static String yamlList(List<String> command) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < command.size(); i++) {
            out.append(i == 0 ? "" : ", ").append('"').append(command.get(i).replace("\\", "\\\\")
                    .replace("\"", "\\\"")).append('"');
        }
        return out.append(']').toString();
    }
}
