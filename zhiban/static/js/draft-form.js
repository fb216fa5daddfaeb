// The new-draft page: choosing a template sets the document type and fills the
// title, main recipients and body where they are still empty, for the drafter to
// complete (×××× marks what to replace).
(() => {
  const data = document.getElementById("draft-templates");
  const pick = document.getElementById("id_template");
  if (!data || !pick) return;
  const templates = JSON.parse(data.textContent);
  const fill = (id, value) => {
    const field = document.getElementById(id);
    if (field && !field.value.trim() && value) field.value = value;
  };
  pick.addEventListener("change", () => {
    const chosen = templates[pick.value];
    if (!chosen) return;
    document.getElementById("id_document_type").value = chosen.type;
    fill("id_title", chosen.title);
    fill("id_main_recipients", chosen.recipients);
    fill("id_body", chosen.body);
  });
})();
