package org.recordline.ingestion.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.OpenApiContract;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * The HTTP contract: the OpenAPI document served on the management port is the committed
 * {@code docs/openapi/ingestion-service.yaml}, and follows the rules of every Recordline API.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class OpenApiContractTest {

    private static final String SERVICE = "ingestion-service";

    // the management root path (/q) is prefixed
    @TestHTTPResource(value = "/openapi", management = true)
    URI openapi;

    @Test
    void servedDocumentIsTheCommittedOne() {
        OpenApiContract.assertCommitted(SERVICE, openapi);
    }

    @TestHTTPResource("/q/openapi")
    URI apiPortOpenapi;

    @Test
    void servedOnTheManagementPortOnly() {
        OpenApiContract.fetch(openapi);
        OpenApiContract.assertNotOnApiPort(apiPortOpenapi);
    }

    @Test
    void everyOperationIsSecuredAndEveryErrorHasABody() {
        OpenApiContract.assertRules(SERVICE, openapi, Set.of());
    }
}
