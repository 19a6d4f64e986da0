package io.autoftp.client;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A data socket that counts the bytes read from and written to it and tells a {@link DataChannelListener} once, when
 * it or one of its streams is closed. Everything else goes straight to the real socket ({@link DelegatingSocket}) (commons-net wraps its own data
 * sockets the same way for MODE Z). Used only while someone listens; a socket is used by one thread at a time.
 */
final class CountingDataSocket extends DelegatingSocket {

    private final String server;
    private final DataChannelMode mode;
    private final String command;
    private final DataChannelListener listener;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile long received;
    private volatile long sent;

    CountingDataSocket(Socket delegate, String server, DataChannelMode mode, String command,
            DataChannelListener listener) {
        super(delegate);
        this.server = server;
        this.mode = mode;
        this.command = command;
        this.listener = listener;
    }

    private void report() {
        if (reported.compareAndSet(false, true)) {
            listener.onClosed(server, mode, command, received, sent);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return new FilterInputStream(delegate.getInputStream()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    received++;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = in.read(buffer, offset, length);
                if (n > 0) {
                    received += n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = in.skip(n);
                if (skipped > 0) {
                    received += skipped;
                }
                return skipped;
            }

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    report();
                }
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return new FilterOutputStream(delegate.getOutputStream()) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                sent++;
            }

            @Override
            public void write(byte[] buffer, int offset, int length) throws IOException {
                out.write(buffer, offset, length);
                sent += length;
            }

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    report();
                }
            }
        };
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            delegate.close();
        } finally {
            report();
        }
    }
}
