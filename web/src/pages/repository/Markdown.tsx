import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { useMemo } from 'react';

// Raw HTML in a description is shown as the text it is, never as markup: a pushed
// `<img onerror=...>` reads literally. DOMPurify then cleans what marked itself produced.
const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
  },
});

/** Markdown (repository descriptions, chart READMEs) rendered safely. */
export function Markdown({ text, label }: { text: string; label?: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false }) as string, { USE_PROFILES: { html: true } }), [text]);
  return (
    // Raw HTML escaped by the renderer above, then sanitized by DOMPurify.
    <section aria-label={label} className="haven-markdown" style={{ overflowWrap: 'anywhere' }}>
      <div dangerouslySetInnerHTML={{ __html: html }} />
    </section>
  );
}
