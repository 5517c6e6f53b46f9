package dev.tollgate.launcher;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code tollgate dev} was asked for: where its data lives and the port of each endpoint (0 picks a free
 * one). Services started by the dev stack read their ports and the gateway configuration from here.
 *
 * @param dataDir       root of everything the stack keeps on disk (the broker under {@code kafka/})
 * @param kafkaPort     the Kafka listener
 * @param registryPort  the schema registry
 * @param intakePort    the intake HTTP API
 * @param queryPort     the ledger projector's query API
 * @param gatewayConfig the tool gateway's YAML file, when given
 */
public record DevSettings(Path dataDir, int kafkaPort, int registryPort, int intakePort, int queryPort,
                          Optional<Path> gatewayConfig) {

    public DevSettings {
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        gatewayConfig = Objects.requireNonNull(gatewayConfig, "gatewayConfig");
    }
}
