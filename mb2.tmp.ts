import { createParser } from 'eventsource-parser';
import { StringDecoder } from 'node:string_decoder';
import { EventTemplate } from './runtime/llm/event-template.ts';
import { openaiApi } from './runtime/llm/openai.ts';
const words=[' but',' load',' quickly',' for',' model',' the'];
function ev(i:number){return `data: {"id":"chatcmpl-mock-7","object":"chat.completion.chunk","created":1795996117,"model":"m","choices":[{"index":0,"delta":{"content":"${words[i%6]}"},"logprobs":null,"finish_reason":null}]}\n\n`;}
const chunks: Buffer[]=[]; for(let i=0;i<2000;i++){ chunks.push(Buffer.from(ev(i)+ev(i+1)+ev(i+2)+ev(i+3))); }
const N=chunks.length*4;
function bench(name: string, fn: () => number){ for(let w=0;w<3;w++) fn(); const t=performance.now(); let r=0; for(let k=0;k<20;k++) r+=fn(); const dt=performance.now()-t; console.log(name, (dt*1000/(20*N)).toFixed(3),'us/event', r); }
bench('esparser only', ()=>{ let c=0; const p=createParser({onEvent(e){c+=e.data.length;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
bench('esparser+JSON', ()=>{ let c=0; const p=createParser({onEvent(e){ const o=openaiApi.parseEvent(e.data, e.event); c+=o.content!.length;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
bench('esparser+template', ()=>{ let c=0; const t=new EventTemplate(openaiApi); const p=createParser({onEvent(e){ const o=t.parse(e.data, e.event); c+=o.content!.length;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
bench('esparser+startsWith', ()=>{ let c=0; const P='{"id":"chatcmpl-mock-7","object":"chat.completion.chunk","created":1795996117,"model":"m","choices":[{"index":0,"delta":{"content":'; const p=createParser({onEvent(e){ if (e.data.startsWith(P)) c++;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
const P='{"id":"chatcmpl-mock-7","object":"chat.completion.chunk","created":1795996117,"model":"m","choices":[{"index":0,"delta":{"content":';
const S='},"logprobs":null,"finish_reason":null}]}';
bench('indexOf0', ()=>{ let c=0; const p=createParser({onEvent(e){ if (e.data.indexOf(P)===0) c++;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
bench('slice===', ()=>{ let c=0; const p=createParser({onEvent(e){ const x=e.data; if (x.slice(0,P.length)===P && x.slice(x.length-S.length)===S) c++;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
bench('indexOf both', ()=>{ let c=0; const p=createParser({onEvent(e){ const x=e.data; if (x.indexOf(P)===0 && x.indexOf(S, x.length-S.length)===x.length-S.length) c++;}}); const d=new StringDecoder('utf8'); for(const ch of chunks) p.feed(d.write(ch)); return c; });
