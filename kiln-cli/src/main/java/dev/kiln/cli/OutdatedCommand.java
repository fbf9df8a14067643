package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.OutdatedImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "outdated", description = "List the images Kiln built whose base tag has moved since (one HEAD per base).")
final class OutdatedCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        try (Kiln kiln = common.open(true)) {
            List<OutdatedImage> outdated = kiln.outdated();
            if (common.json) {
                Output.print(common.out(), Map.of("images", outdated));
                return KilnCommand.OK;
            }
            for (OutdatedImage image : outdated) {
                common.out().printf("%s (%s) was built on %s %s; it is now %s%n", image.image(), image.platform(), image.base(),
                        Output.shortDigest(image.builtOn()), Output.shortDigest(image.baseNow()));
            }
            if (outdated.isEmpty()) {
                common.out().println("every image Kiln built is on the current digest of its base");
            }
            common.out().flush();
        }
        return KilnCommand.OK;
    }
}
