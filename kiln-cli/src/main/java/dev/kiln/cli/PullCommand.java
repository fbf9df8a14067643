package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.LogLines;
import dev.kiln.api.PullResult;
import dev.kiln.api.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "pull", description = "Make an image available in the local store, asking its registry only as the policy requires.")
final class PullCommand extends RegistryCommand {
    @Mixin
    ImageOptions image;

    @Option(names = "--verify", description = "Re-hash every cached blob instead of trusting verification stamps.")
    boolean verify;

    @Override
    int run(Kiln kiln) {
        PullResult result = kiln.pull(image.request(verify));
        if (common.json) {
            common.out().println(result.toJson());
            common.out().flush();
        } else {
            common.out().printf("%s%n  %s from %s: %s, %s downloaded, %s fetched, %d cached, %s%n",
                    Output.withDigest(result.reference(), result.digest()), result.platform(), result.source(),
                    Output.count(result.requests(), "request"), Units.formatSize(result.bytesDownloaded()),
                    Output.count(result.layersFetched(), "layer"), result.layersCached(), LogLines.seconds(result.duration()));
            common.out().flush();
        }
        return KilnCommand.OK;
    }
}
