package dev.kiln.cli;

import dev.kiln.api.BuildResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.RebaseRequest;
import dev.kiln.api.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rebase", description = "Move an image Kiln built onto its base's new digest (or another base) without rebuilding "
        + "or re-uploading its application layers.")
final class RebaseCommand extends RegistryCommand {
    @Mixin
    ImageArgument image;

    @Option(names = "--base", paramLabel = "IMAGE", description = "The new base (default: the old base's tag, as it resolves now).")
    String base;

    @Option(names = "--to", paramLabel = "TAG", description = "Where to push, in the image's repository (default: IMAGE itself).")
    String target;

    @Override
    int run(Kiln kiln) {
        BuildResult result = kiln.rebase(RebaseRequest.builder(image.image).base(base).to(target).platform(image.platform).build());
        if (common.json) {
            common.out().println(result.toJson());
            common.out().flush();
        } else {
            common.out().printf("%s%n  now on %s %s; blobs: %d uploaded (%s), %d already there, %d mounted%n", result.image(),
                    result.base().reference(), Output.shortDigest(result.base().digest()), result.blobsUploaded(),
                    Units.formatSize(result.bytesUploaded()), result.blobsSkipped(), result.blobsMounted());
            common.out().flush();
        }
        return KilnCommand.OK;
    }
}
