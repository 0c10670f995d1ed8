import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);
import{b as n}from"./chunk-GR2CQZLB.js";import{o,w as m}from"./chunk-NY2NKIOY.js";var l=o(n,"ElasticLoadBalancing_v10","ElasticLoadBalancingV2Client",m),s={},d=(t,a,i,c)=>[];export{l as a,s as b,d as c};
