package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.ForbiddenException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.recordline.console.pipeline.PipelineFigures;
import org.recordline.console.pipeline.PipelineReader;
import org.recordline.console.services.IngestionApi;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** The pipeline: live figures from the services' metrics, and one submission's path. */
@Path("/")
@Authenticated
public class PipelinePage {

    @Inject
    Pages pages;
    @Inject
    PipelineReader reader;
    @Inject
    @RestClient
    IngestionApi ingestion;
    @Inject
    Template pipeline;
    @Inject
    Template submission;
    @Inject
    Template pipelineCards;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance home() {
        requirePipeline();
        return pages.page(pipeline, "pipeline").data("figures", figures());
    }

    /** The figure cards alone: the page swaps them in every few seconds (htmx). */
    @GET
    @Path("pipeline/cards")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance cards() {
        requirePipeline();
        return pipelineCards.data("figures", figures());
    }

    /** The figures as JSON, for the chart (the page polls it; nothing is kept in the browser but the chart's points). */
    @GET
    @Path("pipeline/figures")
    @Produces(MediaType.APPLICATION_JSON)
    public PipelineFigures figures() {
        requirePipeline();
        // every figure comes from the services' metrics: no read of a record, nothing to audit, every 5 seconds
        return reader.read();
    }

    /** One submission's path, step by step (records technicians: it names the person it was filed under). */
    @GET
    @Path("pipeline/submission")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance submission(@QueryParam("id") String id) {
        pages.requireDesk();
        TemplateInstance page = pages.page(submission, "pipeline").data("id", id);
        if (id == null || id.isBlank()) {
            return page.data("answer", null);
        }
        String trimmed = id.strip();
        if (!trimmed.matches("[0-9a-fA-F-]{1,64}")) {
            return page.data("answer", null).data("problem", "A submission id is a UUID, like 7d1c5c8e-6d0e-4f47-9e0a-1f2b3c4d5e6f.");
        }
        Answer a = pages.call(() -> ingestion.submission(trimmed));
        return page.data("answer", a.ok() ? a.body() : null).data("problem", a.ok() ? null : a.reason());
    }

    private void requirePipeline() {
        if (!pages.viewer().pipeline()) {
            throw new ForbiddenException();
        }
    }
}
