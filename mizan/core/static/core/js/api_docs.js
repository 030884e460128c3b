// Start Swagger UI on /api/docs/ (a static file: the CSP forbids inline scripts).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") return;
  const csrfToken = root.dataset.csrfToken;
  const safeMethods = ["GET", "HEAD", "OPTIONS"];
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    // Same-origin "Try it out" runs with the browser session, which needs the CSRF token.
    requestInterceptor: (request) => {
      if (csrfToken && !safeMethods.includes((request.method || "GET").toUpperCase())) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    },
  });
});
