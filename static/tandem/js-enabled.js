// Tells govuk-frontend's CSS that JavaScript runs (it hides some elements until then).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
