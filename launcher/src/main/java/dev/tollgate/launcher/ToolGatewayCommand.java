package dev.tollgate.launcher;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.ToolGatewayApp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tollgate tool-gateway --bootstrap-servers … --schema-registry-url … --config FILE}: runs the tool gateway
 * on its own until the process is stopped. Command-line options win over the config file; the properties of
 * {@code --client-config FILE} become the gateway's {@code kafka.*} pass-through keys (every Kafka client gets them).
 */
@Command(name = "tool-gateway", mixinStandardHelpOptions = true,
        description = "Run the tool gateway: executes approved tool calls and signs receipts.")
public final class ToolGatewayCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default: the config file's, "
            + "else localhost:9092).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Schema registry URL (default: the config file's, "
            + "else http://localhost:8081).")
    String schemaRegistryUrl;

    @Option(names = "--config", required = true, description = "The gateway's YAML config file.")
    Path config;

    @Option(names = "--data-dir", description = "The gateway's local directory (key pair, default tool roots).")
    Path dataDir;

    @Option(names = "--gateway-id", description = "This instance's id, unique among running gateways.")
    String gatewayId;

    @Option(names = "--http-port", description = "Port of GET /health and GET /v1/keys (default: the config "
            + "file's http.port, else none; 0: any free port).")
    Integer httpPort;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (e.g. "
            + "security.protocol, sasl.*, config.providers=env) merged into every Kafka client of the gateway.")
    Path clientConfig;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (bootstrapServers != null) {
            overrides.put(GatewayConfig.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        }
        if (schemaRegistryUrl != null) {
            overrides.put(GatewayConfig.SCHEMA_REGISTRY_URL.name(), schemaRegistryUrl);
        }
        if (dataDir != null) {
            overrides.put(GatewayConfig.DATA_DIR.name(), dataDir.toString());
        }
        if (gatewayId != null) {
            overrides.put(GatewayConfig.GATEWAY_ID.name(), gatewayId);
        }
        if (httpPort != null) {
            overrides.put(GatewayConfig.HTTP_PORT.name(), Integer.toString(httpPort));
        }
        overrides.putAll(ClientConfigFile.load(clientConfig, GatewayConfig.KAFKA_PREFIX));
        GatewayConfig gatewayConfig = GatewayConfig.fromYaml(config, overrides);
        ToolGatewayApp app = ToolGatewayApp.start(gatewayConfig);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "tollgate-tool-gateway-shutdown"));
        System.out.printf("tool-gateway %s running (receipt key %s)%n", gatewayConfig.gatewayId(), app.keyId());
        stopped.await();
        return 0;
    }
}
