package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.config.KilnConfig;
import dev.kiln.server.KilnServer;
import dev.kiln.server.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", description = "Run Kiln as a build service: builds submitted over HTTP run on one warm store, "
        + "with a queue, live events, a history and scheduled base checks (the config's server: section).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: server.port, else 8080; 0: any free port).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default: server.bind, else 127.0.0.1).")
    String bind;

    @Mixin
    RegistryOptions common;

    @Override
    public Integer call() throws InterruptedException {
        KilnConfig config = common.config();
        Kiln kiln = common.open(false);
        ServerSettings settings = ServerSettings.of(config.server(), kiln.storeDir().getParent()).listeningOn(port, bind);
        KilnServer server = KilnServer.builder(kiln, settings).config(config).start();
        common.err().println("kiln serve: listening on http://" + settings.bind() + ":" + server.port());
        common.err().flush();
        // SIGTERM is how a service stops: not an interrupted command (builds still running are recorded as interrupted)
        Interruption.finished();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            common.err().println("kiln serve: stopped");
            common.err().flush();
            stopped.countDown();
        }, "kiln-serve-stop"));
        stopped.await();
        return KilnCommand.OK;
    }
}
