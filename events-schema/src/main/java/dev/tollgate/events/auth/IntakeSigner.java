package dev.tollgate.events.auth;

import dev.tollgate.events.Command;
import java.nio.file.Path;

/**
 * Signs commands for a tool that writes {@code tollgate.commands.v1} itself in intake's place (the benchmarks, the
 * integration tests, a replay of recorded commands): an {@code hmac-sha256} proof with the active key of an intake
 * service key file, signer {@value #SIGNER_ID}, exactly as intake signs. The policy-processor must hold the same file
 * as its {@code command.keys.file}, else it refuses every such command (COMMAND_UNAUTHENTICATED). The key never
 * leaves the file and this object: not logged, never on a topic.
 */
public final class IntakeSigner {

    /** The signer named on intake's proofs. */
    public static final String SIGNER_ID = "intake";

    private final KeyRing keys;
    private final Path keyFile;

    private IntakeSigner(KeyRing keys, Path keyFile) {
        this.keys = keys;
        this.keyFile = keyFile;
    }

    /** The signer of the key file, first creating it (owner-only, one random key) when it does not exist. */
    public static IntakeSigner atFile(Path keyFile) {
        return new IntakeSigner(KeyRing.loadOrCreate(keyFile), keyFile);
    }

    /** The key file, to give the policy-processor as {@code command.keys.file}. */
    public Path keyFile() {
        return keyFile;
    }

    /** Sets intake's proof on {@code command} (replacing any proof it had) and returns the same command. */
    public Command sign(Command command) {
        return Proofs.signHmac(command, keys, SIGNER_ID);
    }
}
