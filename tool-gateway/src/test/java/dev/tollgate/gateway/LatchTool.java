package dev.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.gateway.tools.Tool;
import dev.tollgate.gateway.tools.ToolCall;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** A slow tool for tests: each call blocks until the test opens the latch. */
final class LatchTool implements Tool {

    final CountDownLatch open = new CountDownLatch(1);
    final AtomicInteger entered = new AtomicInteger();

    @Override
    public String name() {
        return "slow";
    }

    @Override
    public String argsSchemaJson() {
        return "{\"type\":\"object\"}";
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public JsonNode execute(ToolCall call) throws InterruptedException {
        entered.incrementAndGet();
        open.await();
        return JsonNodeFactory.instance.objectNode().put("slow", true);
    }
}
