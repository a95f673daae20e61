// Names for the API's types, from schema.ts (generated from fanzha's OpenAPI document: `npm run gen:api`).
import type { components } from './schema'

type Schemas = components['schemas']
export type Token = Schemas['Token']
export type Me = Schemas['Me']
export type ReportSummary = Schemas['ReportSummary']
export type ReportReading = Schemas['ReportReading']
export type TextSpan = Schemas['TextSpan']
export type MetricsOut = Schemas['MetricsOut']
export type GroupOut = Schemas['GroupOut']
export type DurationOut = Schemas['DurationOut']
export type FreezeList = Schemas['FreezeList']
export type FreezeTarget = Schemas['FreezeTarget']
export type TraceRequest = Schemas['TraceRequest']
export type TaskOut = Schemas['TaskOut']
export type TaskState = Schemas['TaskState']
export type TaskKind = Schemas['TaskKind']
export type TransitionIn = Schemas['TransitionIn']
export type CampaignInfo = Schemas['CampaignInfo']
export type CampaignView = Schemas['CampaignView']
export type CampaignGraph = Schemas['CampaignGraph']
export type RiskAnswer = Schemas['RiskAnswer']
export type IdentifierKind = Schemas['IdentifierKind']
export type Unit = Schemas['Unit']

/** The answer of `POST /api/v1/trace/tasks`: the stop-payment tasks of a freeze list, one per bank desk. */
export type TraceTasks = Schemas['TraceTasks']
