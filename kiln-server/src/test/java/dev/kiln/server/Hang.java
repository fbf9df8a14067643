package dev.kiln.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "registry" on a free loopback port that accepts connections and never answers: a build whose base
 * is here runs until it is cancelled (or its read timeout), so tests can hold builds running.
 */
final class Hang implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    Hang() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    held.add(socket.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "hang-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** An image reference on this "registry". */
    String ref(String repoAndTag) {
        return "127.0.0.1:" + socket.getLocalPort() + "/" + repoAndTag;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
