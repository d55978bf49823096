// Starts Swagger UI on /api/docs. A file rather than an inline script, so that the page
// works under kamscore's Content-Security-Policy ("script-src 'self'", no inline script).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: container.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui-container",
    deepLinking: true,
  });
});
