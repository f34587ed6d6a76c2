/**
 * The HTML report: `report.html` in each run directory (also `llmperf report <run-dir>`).
 * - Timeline: a SampleListener collecting per-second series and distributions (timeline.json).
 * - renderReport: summary (+ timeline, + sweep levels) -> one self-contained HTML string.
 * - writeReport / writeSweepReport: read the run directory / the levels, write the file.
 */
export { Timeline, TIMELINE_VERSION, MAX_BUCKETS, RESERVOIR, type TimelineData, type TimelineOptions } from './timeline.ts';
export { renderReport, type ReportInput } from './render.ts';
export { writeReport, writeSweepReport, type WriteReportOptions } from './write.ts';
export type { SweepPoint, SweepMeta } from './charts.ts';
export { levelVerdict, type LevelVerdict } from './sweep.ts';
export { placeLabels, labelBox, segmentHitsBox, type Segment, type Box } from './svg.ts';
export type { LogHistData } from './loghist.ts';
