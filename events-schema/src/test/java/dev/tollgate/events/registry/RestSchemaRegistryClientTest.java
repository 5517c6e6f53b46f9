package dev.tollgate.events.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The client against a real HTTP/1.1 socket server that drops connections without answering, as a registry does
 * when it closes an idle keep-alive connection the client is about to reuse.
 */
class RestSchemaRegistryClientTest {

    private static final Schema SCHEMA = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

    @Test
    void registersOnceMoreWhenTheRegistryDropsTheConnectionWithoutAnswering() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = serve(server, 1);
            RestSchemaRegistryClient client = new RestSchemaRegistryClient("http://127.0.0.1:" + server.getLocalPort());

            assertThat(client.register("topic-value", SCHEMA)).isEqualTo(7);
            assertThat(connections.get()).isEqualTo(2);
        }
    }

    @Test
    void namesTheRegistryWhenItNeverAnswers() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            serve(server, Integer.MAX_VALUE);
            RestSchemaRegistryClient client = new RestSchemaRegistryClient("http://127.0.0.1:" + server.getLocalPort());

            assertThatThrownBy(() -> client.register("topic-value", SCHEMA))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("unreachable").hasMessageContaining("127.0.0.1:" + server.getLocalPort());
        }
    }

    /** Drops the first {@code drops} connections after reading the request; answers {"id":7} on the others. */
    private static AtomicInteger serve(ServerSocket server, int drops) {
        AtomicInteger connections = new AtomicInteger();
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    int n = connections.incrementAndGet();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    int length = 0;
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        if (line.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    in.skip(length);
                    if (n <= drops) {
                        continue;
                    }
                    byte[] body = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    return;
                }
            }
        }, "registry-socket-server");
        thread.setDaemon(true);
        thread.start();
        return connections;
    }
}
