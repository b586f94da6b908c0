package dev.scriptd.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ApiRouter: which request bodies the API reads")
class ApiRouterTest {
  @Test
  @DisplayName("application/json and any +json type are JSON, parameters and case aside; text/plain and forms are not")
  void jsonContentTypes() {
    assertTrue(ApiRouter.isJson("application/json"));
    assertTrue(ApiRouter.isJson("Application/JSON; charset=utf-8"));
    assertTrue(ApiRouter.isJson("application/merge-patch+json"));
    assertTrue(ApiRouter.isJson("application/vnd.scriptd+json;v=1"));
    assertFalse(ApiRouter.isJson("text/plain"));
    assertFalse(ApiRouter.isJson("text/plain; charset=application/json"));
    assertFalse(ApiRouter.isJson("application/x-www-form-urlencoded"));
    assertFalse(ApiRouter.isJson("+json"));
    assertFalse(ApiRouter.isJson(null));
  }
}
