package org.recordline.index.domain.matching;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The match model in force: the file {@code recordline.index.match.model-file} when set (a model re-estimated from
 * the index's own data and reviewed, see README), else the model shipped with the service ({@code match-model.json}).
 * Read once at start-up; a model file that does not parse stops the start.
 */
@ApplicationScoped
public class MatchModels {

    private static final Logger LOG = Logger.getLogger(MatchModels.class);

    private final MatchModelJson current;

    public MatchModels(@ConfigProperty(name = "recordline.index.match.model-file") Optional<String> file) {
        if (file.isPresent()) {
            try {
                current = MatchModelJson.parse(new ObjectMapper().readTree(Files.readString(Path.of(file.get()))));
            } catch (IOException e) {
                throw new UncheckedIOException("the match model " + file.get() + " cannot be read", e);
            }
        } else {
            current = MatchModelJson.builtIn();
        }
        LOG.infof("match model %s in force", current.version());
    }

    /** The model that scores every decision. */
    public MatchModelJson current() {
        return current;
    }
}
