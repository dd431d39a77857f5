/**
 * GET /retentions/metadatas: the payload Harbor's handler returns (rentenitionMetadataPayload in
 * src/server/v2.0/handler/retention.go), field for field and in its order. The param entries have
 * no name in Harbor's swagger model: a template's parameter is named after the template.
 */
export const retentionMetadata = {
  templates: [
    { rule_template: 'latestPushedK', display_text: 'the most recently pushed # artifacts', action: 'retain', params: [{ type: 'int', unit: 'COUNT', required: true }] },
    { rule_template: 'latestPulledN', display_text: 'the most recently pulled # artifacts', action: 'retain', params: [{ type: 'int', unit: 'COUNT', required: true }] },
    { rule_template: 'nDaysSinceLastPush', display_text: 'pushed within the last # days', action: 'retain', params: [{ type: 'int', unit: 'DAYS', required: true }] },
    { rule_template: 'nDaysSinceLastPull', display_text: 'pulled within the last # days', action: 'retain', params: [{ type: 'int', unit: 'DAYS', required: true }] },
    { rule_template: 'always', display_text: 'always', action: 'retain', params: [] },
  ],
  scope_selectors: [{ display_text: 'Repositories', kind: 'doublestar', decorations: ['repoMatches', 'repoExcludes'] }],
  tag_selectors: [{ display_text: 'Tags', kind: 'doublestar', decorations: ['matches', 'excludes'] }],
} as const;
