"""Documents: 安全承诺书 and 营销活动方案 from Word templates, and the Chinese formatting they need.

One module per concern, in the order a run meets them: `selection` (which rows), `refusal` (which
of them get no letter), `context` (what a row's letter says, from its `cells`), `placeholders`
(the names a template may use), `template_check` (a template's mistakes, all at once), `sandbox`
(the bounded Jinja environment, printing empty values as `blanks`), `chinese_format` (dates and
amounts), `naming` (output file names), `findings` (what a run reports about a row or a file),
`results` (what it hands back) and `kinds` (which documents exist and where their templates ship).
Reading and rendering the .docx files is `adapters.docx_templates`; writing them is
`actions.documents`.
"""
