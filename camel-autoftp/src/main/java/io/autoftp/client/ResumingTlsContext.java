package io.autoftp.client;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of an FTPS client: the one it was configured with, or, once a server refused a data connection under
 * that one, the same configuration made again without TLS 1.2 session tickets, so that TLS 1.2 sessions are resumed by
 * their session id.
 * <p>
 * Why a second context: a TLS 1.2 server that hands out a session ticket sends an empty session id (OpenSSL does), so
 * the ticket is the only way to resume that session, and the JDK discards a ticket whose lifetime exceeds 7 days
 * (vsftpd's is 2^31-1 s): its data connections then cannot resume at all, and vsftpd refuses them. Offered no ticket
 * extension, the server keeps the session under its id, which the JDK resumes. The JDK has no per-context switch for
 * the extension; its system property {@value #TICKETS_PROPERTY} is read when a context is made, so the second context
 * is made with the property set to false for that moment (once per client, and only for a server that refused a data
 * connection). A context another thread of the JVM makes in that moment also leaves TLS 1.2 tickets off: it then
 * resumes TLS 1.2 sessions by id, as every JDK client did before session tickets.
 */
public final class ResumingTlsContext extends SSLContext {

    /** Makes an FTPS client's TLS context again, as it was configured: called for the one without session tickets. */
    @FunctionalInterface
    public interface Factory {
        SSLContext create() throws IOException, GeneralSecurityException;
    }

    static final String TICKETS_PROPERTY = "jdk.tls.client.enableSessionTicketExtension";

    private final Delegating spi;

    private ResumingTlsContext(Delegating spi) {
        super(spi, spi.configured.getProvider(), spi.configured.getProtocol());
        this.spi = spi;
    }

    /**
     * @param again makes {@code configured} again; null: a server that needs TLS 1.2 by session id gets
     *              {@code configured} itself, with its session tickets
     */
    static ResumingTlsContext of(SSLContext configured, Factory again) {
        return new ResumingTlsContext(new Delegating(again != null ? again : () -> configured, configured));
    }

    /**
     * From now on the context without TLS 1.2 session tickets (made on first use), or the configured one again: for
     * the next handshakes, control and data connections alike, which share its session cache.
     */
    void resumeBySessionId(boolean sessionIds) throws IOException {
        spi.use(sessionIds);
    }

    /** {@code factory}'s context made while the JDK's client session ticket extension is off. */
    private static SSLContext withoutSessionTickets(Factory factory) throws IOException {
        synchronized (ResumingTlsContext.class) {
            String before = System.getProperty(TICKETS_PROPERTY);
            System.setProperty(TICKETS_PROPERTY, "false");
            try {
                return factory.create();
            } catch (GeneralSecurityException e) {
                throw new IOException("Cannot make the TLS context without session tickets: " + e.getMessage(), e);
            } finally {
                if (before == null) {
                    System.clearProperty(TICKETS_PROPERTY);
                } else {
                    System.setProperty(TICKETS_PROPERTY, before);
                }
            }
        }
    }

    /** Hands every call to the context in use. */
    private static final class Delegating extends SSLContextSpi {
        private final Factory factory;
        private final SSLContext configured;
        private SSLContext withoutTickets;
        private volatile SSLContext current;

        Delegating(Factory factory, SSLContext configured) {
            this.factory = factory;
            this.configured = configured;
            this.current = configured;
        }

        synchronized void use(boolean sessionIds) throws IOException {
            if (sessionIds && withoutTickets == null) {
                withoutTickets = withoutSessionTickets(factory);
            }
            current = sessionIds ? withoutTickets : configured;
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("Already initialised by its factory");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return current.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return current.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return current.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return current.createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return current.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return current.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return current.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return current.getSupportedSSLParameters();
        }
    }
}
