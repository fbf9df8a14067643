package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.OutdatedImage;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

@Command(name = "outdated", description = "Say for every image Kiln built whether its base tag has moved since "
        + "(one HEAD per base, nothing downloaded); exit 1 if a base could not be checked.")
final class OutdatedCommand extends RegistryCommand {
    @Override
    int run(Kiln kiln) {
        List<OutdatedImage> images = kiln.outdated();
        PrintWriter out = common.report();
        if (common.json) {
            Output.print(out, Map.of("images", images));
        } else {
            for (OutdatedImage image : images) {
                out.printf("%s (%s) %s%n", image.image(), image.platform(), switch (image.status()) {
                    case OutdatedImage.MOVED -> "moved: built on " + image.base() + " " + Output.shortDigest(image.builtOn())
                            + ", now " + Output.shortDigest(image.baseNow());
                    case OutdatedImage.CURRENT -> "current: on " + image.base() + " " + Output.shortDigest(image.builtOn());
                    default -> "error: " + image.error();
                });
            }
            if (images.isEmpty()) {
                out.println("no image built on a base in the ledger");
            }
            out.flush();
        }
        long failed = images.stream().filter(OutdatedImage::failed).count();
        if (failed > 0) {
            common.err().printf("kiln: error: %d of %d images could not be checked%n", failed, images.size());
            common.err().flush();
            return KilnCommand.FAILURE;
        }
        return KilnCommand.OK;
    }
}
