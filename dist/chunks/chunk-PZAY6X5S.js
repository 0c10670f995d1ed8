import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{b as t}from"./chunk-ERQZ4RFE.js";import{o,w as m}from"./chunk-NY2NKIOY.js";var a=o(t,"Logs_20140328","CloudWatchLogsClient",m),d={},g=(n,r,c,e)=>[];export{a,d as b,g as c};
