package dev.tollgate.launcher;

import dev.tollgate.gateway.GatewayConfig;
import dev.tollgate.gateway.GatewayDevDefaults;
import dev.tollgate.gateway.ToolGatewayApp;
import dev.tollgate.projector.ProjectorApp;
import dev.tollgate.projector.ProjectorConfig;
import java.util.List;
import java.util.Map;

/**
 * The services {@code tollgate dev} runs next to the embedded broker, in start order. Each entry starts one
 * service on the dev stack's broker and registry, with its data under the dev data directory.
 */
final class DevComponents {

    private DevComponents() {
    }

    static List<DevComponent.Factory> all() {
        return List.of(DevComponents::toolGateway, DevComponents::projector);
    }

    /** The tool gateway: the dev config file if given (--gateway-config), else a safe default (no egress). */
    static DevComponent toolGateway(DevComponent.DevContext context) {
        GatewayConfig config = context.settings().gatewayConfig()
                .map(file -> GatewayConfig.fromYaml(file, Map.of(
                        GatewayConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                        GatewayConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                        GatewayConfig.DATA_DIR.name(), context.settings().dataDir().resolve("gateway").toString())))
                .orElseGet(() -> GatewayDevDefaults.config(context.settings().dataDir().resolve("gateway"),
                        context.bootstrapServers(), context.schemaRegistryUrl()));
        ToolGatewayApp app = ToolGatewayApp.start(config);
        return DevComponent.of("tool-gateway", app, app::ready,
                String.format("Tool gateway      receipt key %s, outbox %s", app.keyId(),
                        config.outbox()));
    }

    /** The ledger projector and its query API on --query-port. */
    static DevComponent projector(DevComponent.DevContext context) {
        ProjectorConfig config = ProjectorConfig.of(Map.of(
                ProjectorConfig.BOOTSTRAP_SERVERS.name(), context.bootstrapServers(),
                ProjectorConfig.SCHEMA_REGISTRY_URL.name(), context.schemaRegistryUrl(),
                ProjectorConfig.STATE_DIR.name(), context.settings().dataDir().resolve("projector").toString(),
                ProjectorConfig.HTTP_HOST.name(), "127.0.0.1",
                ProjectorConfig.HTTP_PORT.name(), Integer.toString(context.settings().queryPort())));
        ProjectorApp app = ProjectorApp.start(config);
        return DevComponent.of("projector", app, app::ready,
                String.format("Query API         http://127.0.0.1:%d", app.httpPort()));
    }
}
