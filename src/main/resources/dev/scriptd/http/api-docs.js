// Starts Swagger UI on /api/docs. A file, not an inline script, so the page keeps script-src 'self'.
// Relative to the page (/api/docs), so it also works under a host's mount point.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // no call to validator.swagger.io: the page talks to this server only
    validatorUrl: null,
    // the UI's session cookie works for "try it out" when logged in
    withCredentials: true
  });
});
