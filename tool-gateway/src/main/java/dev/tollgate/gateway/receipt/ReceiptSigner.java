package dev.tollgate.gateway.receipt;

import dev.tollgate.events.GatewayKey;
import dev.tollgate.events.Receipt;
import dev.tollgate.events.hash.ReceiptCanonicalForm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/**
 * Signs receipts with the gateway's Ed25519 key (JDK provider). The signature covers
 * {@link ReceiptCanonicalForm#bytes}; the key id is {@link ReceiptCanonicalForm#keyId}.
 *
 * <p>The key pair lives in two files: the private key as PKCS#8 DER with owner-only permissions ({@code rw-------}),
 * the public key as X.509 DER. Both are generated on first start when neither exists; a private key without its
 * public key (or the other way round) is an error rather than a silent new identity.
 */
public final class ReceiptSigner {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    public ReceiptSigner(KeyPair keyPair) {
        this.privateKey = keyPair.getPrivate();
        this.publicKey = keyPair.getPublic();
        this.keyId = ReceiptCanonicalForm.keyId(publicKey);
    }

    /** Loads the key pair from the files, generating it first when neither file exists. */
    public static ReceiptSigner loadOrCreate(Path privateKeyFile, Path publicKeyFile) {
        try {
            boolean hasPrivate = Files.exists(privateKeyFile);
            boolean hasPublic = Files.exists(publicKeyFile);
            if (!hasPrivate && !hasPublic) {
                return new ReceiptSigner(generate(privateKeyFile, publicKeyFile));
            }
            if (hasPrivate != hasPublic) {
                throw new IllegalStateException("receipt-signing key pair is incomplete: " + privateKeyFile + " "
                        + (hasPrivate ? "exists" : "is missing") + ", " + publicKeyFile + " "
                        + (hasPublic ? "exists" : "is missing"));
            }
            KeyFactory factory = KeyFactory.getInstance(ReceiptCanonicalForm.ALGORITHM);
            PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(privateKeyFile)));
            PublicKey pub = factory.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(publicKeyFile)));
            ReceiptSigner signer = new ReceiptSigner(new KeyPair(pub, priv));
            signer.selfCheck();
            return signer;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the receipt-signing key pair", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("receipt-signing key pair is not a valid Ed25519 key pair", e);
        }
    }

    private static KeyPair generate(Path privateKeyFile, Path publicKeyFile)
            throws IOException, GeneralSecurityException {
        KeyPair pair = KeyPairGenerator.getInstance(ReceiptCanonicalForm.ALGORITHM).generateKeyPair();
        for (Path file : new Path[] {privateKeyFile, publicKeyFile}) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        }
        try {
            Files.createFile(privateKeyFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(privateKeyFile);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("another process created " + privateKeyFile + " at the same time", e);
        }
        Files.write(privateKeyFile, pair.getPrivate().getEncoded(), StandardOpenOption.TRUNCATE_EXISTING);
        Files.write(publicKeyFile, pair.getPublic().getEncoded());
        return pair;
    }

    private void selfCheck() throws GeneralSecurityException {
        Signature signer = Signature.getInstance(ReceiptCanonicalForm.ALGORITHM);
        signer.initSign(privateKey);
        byte[] probe = {1, 2, 3};
        signer.update(probe);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance(ReceiptCanonicalForm.ALGORITHM);
        verifier.initVerify(publicKey);
        verifier.update(probe);
        if (!verifier.verify(sig)) {
            throw new GeneralSecurityException("the private and public key files do not belong together");
        }
    }

    public String keyId() {
        return keyId;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Fills in {@code keyId}, {@code algorithm} and {@code signature} of an otherwise complete receipt. */
    public Receipt sign(Receipt.Builder unsigned) {
        unsigned.setKeyId(keyId).setAlgorithm(ReceiptCanonicalForm.ALGORITHM).setSignature("");
        Receipt receipt = unsigned.build();
        try {
            Signature signature = Signature.getInstance(ReceiptCanonicalForm.ALGORITHM);
            signature.initSign(privateKey);
            signature.update(ReceiptCanonicalForm.bytes(receipt));
            receipt.setSignature(Base64.getEncoder().encodeToString(signature.sign()));
            return receipt;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a receipt with Ed25519", e);
        }
    }

    /** The public key as published on {@code tollgate.gateway-keys.v1}. */
    public GatewayKey gatewayKey(String gatewayId, Instant createdAt) {
        return GatewayKey.newBuilder()
                .setKeyId(keyId)
                .setAlgorithm(ReceiptCanonicalForm.ALGORITHM)
                .setPublicKey(Base64.getEncoder().encodeToString(publicKey.getEncoded()))
                .setGatewayId(gatewayId)
                .setCreatedAt(createdAt)
                .build();
    }
}
