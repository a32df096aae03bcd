// Writes ../keycloak.txt: Keycloak password credentials hashed the way
// Keycloak's Pbkdf2PasswordHashProvider (JCA PBKDF2WithHmacSHA*, passwords
// NUL-padded to 14 characters) and Argon2PasswordHashProvider (Bouncy
// Castle's Argon2BytesGenerator) do, printed in the shapes Keycloak exports.
// Run by gen.sh with OpenJDK 17 and Debian's libbcprov-java.

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

public class Keycloak {
    static final SecureRandom random = new SecureRandom();
    static final String[] passwords = {"correct horse battery staple", "pässwörd ✓ 密码", "pw"};

    static byte[] salt() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return b;
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String pad14(String pw) {
        StringBuilder sb = new StringBuilder(pw);
        while (sb.length() < 14) sb.append('\0');
        return sb.toString();
    }

    static byte[] pbkdf2(String jca, String pw, byte[] salt, int iter, int bits) throws Exception {
        PBEKeySpec spec = new PBEKeySpec(pad14(pw).toCharArray(), salt, iter, bits);
        return SecretKeyFactory.getInstance(jca).generateSecret(spec).getEncoded();
    }

    static byte[] argon2(String pw, byte[] salt, int type, int iter, int memory, int parallelism, int len) {
        Argon2Parameters p = new Argon2Parameters.Builder(type)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withParallelism(parallelism).withMemoryAsKB(memory).withIterations(iter).build();
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(p);
        byte[] out = new byte[len];
        g.generateBytes(pw.toCharArray(), out);
        return out;
    }

    // JSON string escaping for the nested secretData / credentialData.
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public static void main(String[] args) throws Exception {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Paths.get(args[0]), StandardCharsets.UTF_8))) {
            out.println("# Keycloak credentials from testdata/gen/Keycloak.java (OpenJDK " + System.getProperty("java.version")
                    + " PBKDF2WithHmacSHA1/256/512 with Keycloak's NUL padding; Bouncy Castle Argon2BytesGenerator).");
            out.println("# Shapes: flat pre-12 export (hashedSaltedValue), flat with value, Keycloak 12+ secretData/credentialData,");
            out.println("# and the one-string $pbkdf2-<prf>$i=<iterations>$<salt>$<value> form built from the same fields.");
            String[][] algs = {{"pbkdf2", "PBKDF2WithHmacSHA1", "sha1", "1000", "512"},
                    {"pbkdf2-sha256", "PBKDF2WithHmacSHA256", "sha256", "27500", "512"},
                    {"pbkdf2-sha256", "PBKDF2WithHmacSHA256", "sha256", "2000", "256"},
                    {"pbkdf2-sha512", "PBKDF2WithHmacSHA512", "sha512", "2000", "512"}};
            for (String[] a : algs) {
                for (String pw : passwords) {
                    byte[] salt = salt();
                    int iter = Integer.parseInt(a[3]);
                    String value = b64(pbkdf2(a[1], pw, salt, iter, Integer.parseInt(a[4])));
                    out.println("{\"type\":\"password\",\"hashedSaltedValue\":\"" + value + "\",\"salt\":\"" + b64(salt)
                            + "\",\"hashIterations\":" + iter + ",\"counter\":0,\"algorithm\":\"" + a[0]
                            + "\",\"digits\":0,\"period\":0,\"createdDate\":1589999999000,\"config\":{}}\t" + pw);
                    out.println("{\"algorithm\":\"" + a[0] + "\",\"hashIterations\":" + iter + ",\"salt\":\"" + b64(salt)
                            + "\",\"value\":\"" + value + "\"}\t" + pw);
                    String secret = "{\"value\":\"" + value + "\",\"salt\":\"" + b64(salt) + "\",\"additionalParameters\":{}}";
                    String data = "{\"hashIterations\":" + iter + ",\"algorithm\":\"" + a[0] + "\",\"additionalParameters\":{}}";
                    out.println("{\"id\":\"0b5c6a3e-8f7d-4c1e-9a2b-3d4e5f6a7b8c\",\"type\":\"password\",\"userLabel\":\"My password\","
                            + "\"createdDate\":1700000000000,\"secretData\":" + quote(secret) + ",\"credentialData\":" + quote(data) + "}\t" + pw);
                    out.println("$pbkdf2-" + a[2] + "$i=" + iter + "$" + b64(salt) + "$" + value + "\t" + pw);
                }
            }
            int[][] argon = {{Argon2Parameters.ARGON2_id, 5, 7168, 1, 32}, // Keycloak's defaults
                    {Argon2Parameters.ARGON2_i, 3, 4096, 2, 32},
                    {Argon2Parameters.ARGON2_id, 2, 1024, 1, 64}};
            for (int[] a : argon) {
                for (String pw : passwords) {
                    byte[] salt = salt();
                    String value = b64(argon2(pw, salt, a[0], a[1], a[2], a[3], a[4]));
                    String type = a[0] == Argon2Parameters.ARGON2_id ? "id" : "i";
                    String secret = "{\"value\":\"" + value + "\",\"salt\":\"" + b64(salt) + "\",\"additionalParameters\":{}}";
                    String data = "{\"hashIterations\":" + a[1] + ",\"algorithm\":\"argon2\",\"additionalParameters\":{"
                            + "\"hashLength\":[\"" + a[4] + "\"],\"memory\":[\"" + a[2] + "\"],\"type\":[\"" + type
                            + "\"],\"version\":[\"1.3\"],\"parallelism\":[\"" + a[3] + "\"]}}";
                    out.println("{\"id\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"type\":\"password\",\"createdDate\":1710000000000,"
                            + "\"secretData\":" + quote(secret) + ",\"credentialData\":" + quote(data) + "}\t" + pw);
                }
            }
        }
    }
}
