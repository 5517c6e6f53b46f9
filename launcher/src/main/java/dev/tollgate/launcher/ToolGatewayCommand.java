package dev.tollgate.launcher;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.ToolGatewayApp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tollgate tool-gateway --config FILE}: runs the tool gateway on its own until the process is stopped. Its
 * config comes from {@link ServiceOptions}: the YAML file of DESIGN.md ("Tool gateway configuration"), the
 * environment, then the command-line options, which win.
 */
@Command(name = "tool-gateway", mixinStandardHelpOptions = true,
        description = "Run the tool gateway: executes approved tool calls and signs receipts.")
public final class ToolGatewayCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions options;

    @Option(names = "--data-dir", description = "The gateway's local directory (key data.dir).")
    Path dataDir;

    @Option(names = "--gateway-id", description = "This instance's id, unique among running gateways (key "
            + "gateway.id).")
    String gatewayId;

    @Option(names = "--http-port", description = "Port of /v1/keys, /health/live, /health/ready and /metrics (key "
            + "http.port; -1, the default: none; 0: any free port).")
    Integer httpPort;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(GatewayConfig.DATA_DIR.name(), dataDir == null ? null : dataDir.toString());
        flags.put(GatewayConfig.GATEWAY_ID.name(), gatewayId);
        flags.put(GatewayConfig.HTTP_PORT.name(), httpPort == null ? null : Integer.toString(httpPort));
        GatewayConfig config;
        if (options.configFile != null && !options.configFile.toString().endsWith(".properties")) {
            // The YAML file keeps its structured sections (mcp, http_tools); every other source wins over it.
            Path file = options.configFile;
            options.configFile = null;
            config = GatewayConfig.fromYaml(file, options.values(GatewayConfig.DECLARATION, flags, System.getenv()));
        } else {
            config = GatewayConfig.of(options.values(GatewayConfig.DECLARATION, flags, System.getenv()));
        }
        return ServiceRunner.run("tool-gateway", () -> ToolGatewayApp.start(config),
                app -> app.health().fatalError(),
                app -> System.out.printf("tool-gateway %s running (receipt key %s)%n", config.gatewayId(),
                        app.keyId()));
    }
}
