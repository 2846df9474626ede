package org.recordline.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.recordline.testsupport.KafkaBroker;

/**
 * The one stack the system tests share in a test JVM: the four packaged services and the records console, on free
 * ports, with every service exporting its spans to an in-JVM OTLP receiver. Started by the first test class that
 * asks, stopped (and its state deleted, unless {@code -Drecordline.keep-state=true}) when the JVM's tests are done:
 * starting it takes most of a minute, so {@link PipelineSystemIT} and {@link ConsoleBrowserIT} do not each pay it.
 */
final class SystemStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    final StackSettings settings;
    final LocalStack stack;
    final OtlpReceiver traces;

    private SystemStack(StackSettings settings, LocalStack stack, OtlpReceiver traces) {
        this.settings = settings;
        this.stack = stack;
        this.traces = traces;
    }

    /** Gives a test's {@code @BeforeAll} method the shared stack: {@code @ExtendWith(SystemStack.Shared.class)}. */
    static final class Shared implements org.junit.jupiter.api.extension.ParameterResolver {

        @Override
        public boolean supportsParameter(org.junit.jupiter.api.extension.ParameterContext parameter,
                                         ExtensionContext context) {
            return parameter.getParameter().getType() == SystemStack.class;
        }

        @Override
        public Object resolveParameter(org.junit.jupiter.api.extension.ParameterContext parameter,
                                       ExtensionContext context) {
            return get(context);
        }
    }

    /** The shared stack, started on first use. */
    static SystemStack get(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SystemStack.class, k -> start(), SystemStack.class);
    }

    private static SystemStack start() {
        try {
            Path home = Path.of(System.getProperty("recordline.home", "../..")).toAbsolutePath().normalize();
            Path state = Files.createTempDirectory("recordline-system-");
            StackSettings settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                    KafkaBroker.freePort(), List.of(
                    new StackSettings.ServiceSpec("ingestion-service", KafkaBroker.freePort(), KafkaBroker.freePort()),
                    new StackSettings.ServiceSpec("validation-service", KafkaBroker.freePort(), KafkaBroker.freePort()),
                    new StackSettings.ServiceSpec("index-service", KafkaBroker.freePort(), KafkaBroker.freePort()),
                    new StackSettings.ServiceSpec("audit-service", KafkaBroker.freePort(), KafkaBroker.freePort())),
                    "192m");
            OtlpReceiver traces = new OtlpReceiver();
            // every service exports its spans to the receiver, often, as it would to a collector
            LocalStack stack = new LocalStack(settings).withConsole().withServiceOptions(List.of(
                    "-Dquarkus.otel.exporter.otlp.traces.endpoint=" + traces.endpoint(),
                    "-Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf",
                    "-Dquarkus.otel.bsp.schedule.delay=0.2s"));
            SystemStack shared = new SystemStack(settings, stack, traces);
            try {
                stack.start(Duration.ofSeconds(240));
            } catch (RuntimeException e) {
                shared.close();
                throw e;
            }
            return shared;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stack.close();
        if (!Boolean.getBoolean("recordline.keep-state")) {
            LocalStack.deleteState(settings.stateDir());
        }
        traces.close();
    }
}
