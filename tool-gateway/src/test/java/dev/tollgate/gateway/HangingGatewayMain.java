package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import dev.tollgate.gateway.tools.ToolRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway for {@link CrashRecoveryIT}, run in its own JVM: its {@code email.send} performs the real side effect
 * (one outbox line) and then hangs, so the test can kill the process in the middle of the call.
 */
public final class HangingGatewayMain {

    private HangingGatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        GatewayConfig config = GatewayConfig.fromYaml(Path.of(args[0]), Map.of());
        ToolRegistry builtIns = ToolRegistry.builtIns(config);
        Tool email = builtIns.find("email.send").orElseThrow();
        CountDownLatch never = new CountDownLatch(1);
        Tool hanging = new Tool() {
            @Override
            public String name() {
                return email.name();
            }

            @Override
            public String argsSchemaJson() {
                return email.argsSchemaJson();
            }

            @Override
            public boolean idempotent() {
                return email.idempotent();
            }

            @Override
            public JsonNode execute(ToolCall call) throws Exception {
                JsonNode result = email.execute(call);
                never.await();
                return result;
            }
        };
        ToolGatewayApp.start(config, builtIns.toBuilder().add(hanging).build());
        System.out.println("GATEWAY-READY");
        System.out.flush();
        never.await();
    }
}
