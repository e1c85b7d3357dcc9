import type { PluginEntry, PluginFailure } from '#kernel';

/** The `weft plugins list` table. */
export function formatPlugins(plugins: readonly PluginEntry[]): string {
  const rows = plugins.map((p) => [
    p.name,
    p.version,
    p.enabled ? 'yes' : 'no',
    p.source === 'builtin' ? 'builtin' : `${p.source} ${p.specifier}`,
    p.dependencies.map((d) => `${d.name}@${d.range}${d.optional ? ' (optional)' : ''}`).join(', ') || '-',
    p.boot_ms === null ? '-' : `${p.boot_ms.toFixed(1)} ms`,
  ]);
  return table([['name', 'version', 'enabled', 'source', 'dependencies', 'boot'], ...rows]);
}

/** The section listing plugins that failed to load; empty when none did. */
export function formatFailures(failed: readonly PluginFailure[]): string {
  if (failed.length === 0) return '';
  return `\nfailed to load:\n${failed.map((f) => `  ${f.specifier} (${f.source}): ${f.reason}\n`).join('')}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd() + '\n').join('');
}
