package io.autoftp.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A partner HTTP API for files larger than any heap: the JDK's HTTP server on 127.0.0.1, reading each request body
 * through a 64 KiB buffer into a SHA-256 digest and keeping only the digest and the byte count (WireMock keeps every
 * request body in memory, so it cannot stand in for a partner receiving 256 MiB). Answers 200.
 */
public final class StreamingSink implements AutoCloseable {

    /** What one POST delivered. */
    public record Received(String sha256, long bytes, String contentLength, String transferEncoding) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final Map<String, Received> received = new ConcurrentHashMap<>();

    public StreamingSink() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** By the request's X-File-Name header, once the whole body was read. */
    public Received received(String fileName) {
        return received.get(fileName);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream body = exchange.getRequestBody()) {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    digest.update(buffer, 0, n);
                    bytes += n;
                }
            }
            String name = exchange.getRequestHeaders().getFirst("X-File-Name");
            received.put(name == null ? "" : name, new Received(HexFormat.of().formatHex(digest.digest()), bytes,
                    exchange.getRequestHeaders().getFirst("Content-Length"),
                    exchange.getRequestHeaders().getFirst("Transfer-Encoding")));
            byte[] answer = "{\"status\":\"accepted\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
