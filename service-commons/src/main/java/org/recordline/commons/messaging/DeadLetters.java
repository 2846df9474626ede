package org.recordline.commons.messaging;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.InvalidEventException;
import org.recordline.events.Topics;

/**
 * Moves poison records to the dead-letter topic of their topic ({@link Topics#deadLetterOf}): the original key, value
 * and headers, plus {@code dead-letter-reason}, {@code dead-letter-cause}, {@code dead-letter-exception-class-name},
 * {@code dead-letter-topic}, {@code dead-letter-partition} and {@code dead-letter-offset} (the header names of the
 * SmallRye connector's own dead-letter queue). The producer is as durable as the outbox relay's ({@code acks=all},
 * idempotent); a send is retried until the broker acknowledged it, so a dead letter is never lost.
 */
@ApplicationScoped
public class DeadLetters {

    private static final int MAX_REASON = 500;

    private final KafkaProducerSettings settings;
    private volatile KafkaProducer<String, byte[]> producer;

    public DeadLetters(KafkaProducerSettings settings) {
        this.settings = settings;
    }

    /** A poison record and why. */
    public record DeadLetter(ConsumerRecord<String, byte[]> record, Throwable failure) {
    }

    void stop(@Observes ShutdownEvent ev) {
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    /** Sends every dead letter and waits for the broker's acknowledgements. */
    public void send(List<DeadLetter> deadLetters) {
        ConsumerRetry.run("dead-lettering", () -> {
            List<Future<RecordMetadata>> acks = new ArrayList<>(deadLetters.size());
            for (DeadLetter d : deadLetters) {
                acks.add(producer().send(toRecord(d)));
            }
            for (Future<RecordMetadata> ack : acks) {
                try {
                    ack.get(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KafkaException("interrupted while dead-lettering", e);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new KafkaException("dead letter not acknowledged", e);
                }
            }
            return null;
        }, failure -> true); // the broker will come back; a dead letter must not be dropped
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(settings.properties("dead-letters"));
                }
                p = producer;
            }
        }
        return p;
    }

    static ProducerRecord<String, byte[]> toRecord(DeadLetter d) {
        ConsumerRecord<String, byte[]> r = d.record();
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(Topics.deadLetterOf(r.topic()), null, r.key(),
                r.value());
        for (Header h : r.headers()) {
            if (!h.key().startsWith("dead-letter-")) {
                out.headers().add(h.key(), h.value());
            }
        }
        Throwable cause = ConsumerRetry.rootCause(d.failure());
        add(out, "dead-letter-reason", reason(d.failure()));
        add(out, "dead-letter-cause", cause.getClass().getName());
        add(out, "dead-letter-exception-class-name", d.failure().getClass().getName());
        add(out, "dead-letter-topic", r.topic());
        add(out, "dead-letter-partition", String.valueOf(r.partition()));
        add(out, "dead-letter-offset", String.valueOf(r.offset()));
        return out;
    }

    private static void add(ProducerRecord<String, byte[]> r, String name, String value) {
        r.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Why a record is poison, without patient data: the contract's own message for an {@link InvalidEventException}
     * (it names rules and ids, never values), our own message for a {@link DataAccessException}, and otherwise only
     * exception class names and a SQL state (a database message can quote the values of a row).
     */
    public static String reason(Throwable failure) {
        String text;
        Throwable invalid = find(failure, InvalidEventException.class);
        if (invalid != null) {
            text = invalid.getMessage();
        } else {
            Throwable cause = ConsumerRetry.rootCause(failure);
            StringBuilder b = new StringBuilder(failure.getClass().getSimpleName());
            if (failure instanceof DataAccessException) {
                b.append(": ").append(failure.getMessage());
            }
            if (cause != failure) {
                b.append(" (cause ").append(cause.getClass().getSimpleName());
                if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                    b.append(", SQL state ").append(sql.getSQLState());
                }
                b.append(')');
            }
            text = b.toString();
        }
        if (text == null) {
            text = failure.getClass().getSimpleName();
        }
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) : text;
    }

    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        int depth = 0;
        for (Throwable c = t; c != null && depth++ < 32; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }
}
