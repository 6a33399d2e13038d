package dev.drift.neo4jtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * TestServer runs an embedded Neo4j Community DBMS for drift's tests.
 *
 * <p>It listens for Bolt on a loopback port (the first argument, or a free port when the argument
 * is absent or 0), with authentication off and its store in a fresh temporary directory, which
 * it names on a line {@code NEO4J_HOME DIR}. Once Bolt accepts connections it prints
 * {@code NEO4J_READY bolt://127.0.0.1:PORT (started in N ms)}. It runs until its standard input
 * reaches end of file, then deletes the directory and exits without a clean shutdown (the store
 * is thrown away). Tying its life to stdin means a test run that dies cannot leave a server
 * behind for longer than the pipe's writer lives.
 */
public final class TestServer {
    private TestServer() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        if (port == 0) {
            port = freePort();
        }
        // Neo4j's own log lines go to stdout; keep the ready line on a stream of its own.
        PrintStream ready = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        long started = System.nanoTime();
        Path home = Files.createTempDirectory("drift-neo4j-");
        ready.println("NEO4J_HOME " + home);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(64))
                .build();
        // The store is thrown away, so there is nothing to shut down cleanly: a clean shutdown
        // takes Neo4j ten seconds, deleting the directory and halting takes none. A signal
        // (Ctrl-C, kill) deletes the directory too.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(home), "drift-neo4j-cleanup"));
        ready.println("NEO4J_READY bolt://127.0.0.1:" + port + " (started in " + (System.nanoTime() - started) / 1_000_000 + " ms)");
        InputStream in = System.in;
        byte[] buf = new byte[256];
        while (in.read(buf) >= 0) {
            // Input is ignored; only end of file matters.
        }
        deleteTree(home);
        ready.println("NEO4J_STOPPED");
        Runtime.getRuntime().halt(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("drift-neo4j: deleting " + root + ": " + e);
        }
    }
}
