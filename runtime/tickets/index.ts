export * from './jwt.ts'
export * from './ticket.ts'
